#pragma once
// Plain-text tables for the default `-o table` output.
// Thread-safety: pure functions.

#include <string>
#include <vector>

#include "cli/api_client.h"

namespace strato::cli {

// One table column: a header and the top-level JSON field it shows.
struct Column {
  std::string header;
  std::string field;
};

// A JSON value as one cell: strings as they are, null or missing "-", booleans true/false,
// objects "k=v,k2=v2", arrays comma-joined; line breaks become spaces.
std::string CellText(const Json& value);

// Columns left-aligned to their widest cell (in UTF-8 characters), two spaces apart, header
// row first, no trailing spaces, every line ending in '\n'. Short rows are padded with "".
std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows);

// One row per element of the `items` array, the cells picked by `columns`.
std::string RenderRecords(const Json& items, const std::vector<Column>& columns);

// A single object as a FIELD/VALUE table, fields in the server's order.
std::string RenderFields(const Json& object);

}  // namespace strato::cli

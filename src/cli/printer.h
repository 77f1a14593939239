#pragma once
// Writes API results to stdout in the chosen output format.
//   table (default): lists as aligned columns with a header, single resources as FIELD/VALUE.
//   json:            the API's JSON, pretty-printed, fields in the server's order.
// Thread-safety: single-threaded; writes to the stream it was given (not owned).

#include <ostream>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/table.h"

namespace strato::cli {

enum class OutputFormat { kTable, kJson };

class Printer {
 public:
  Printer(OutputFormat format, std::ostream& out);

  OutputFormat format() const { return format_; }

  // `page` is {"<collection>": [...], "next_token"?}. Table output shows the collection.
  void PrintList(const Json& page, const std::string& collection,
                 const std::vector<Column>& columns);
  void PrintObject(const Json& object);
  // Text exactly as given, in either format (console output).
  void PrintRaw(const std::string& text);

 private:
  const OutputFormat format_;
  std::ostream& out_;
};

// Column sets per resource kind, shared by list and action commands.
const std::vector<Column>& InstanceColumns();
const std::vector<Column>& HostColumns();
const std::vector<Column>& InstanceTypeColumns();
const std::vector<Column>& RegionColumns();
const std::vector<Column>& TenantColumns();
const std::vector<Column>& UserColumns();
const std::vector<Column>& AccessKeyColumns();
const std::vector<Column>& TagColumns();
const std::vector<Column>& ImageColumns();
const std::vector<Column>& KeyPairColumns();
const std::vector<Column>& VpcColumns();
const std::vector<Column>& SubnetColumns();
const std::vector<Column>& HostIdColumns();  // {"hosts": ["h-…", ...]} from add-sim

}  // namespace strato::cli

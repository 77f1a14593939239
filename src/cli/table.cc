#include "cli/table.h"

#include <algorithm>

namespace strato::cli {
namespace {

size_t DisplayWidth(const std::string& s) {
  // Count UTF-8 lead bytes so names with accents do not skew the columns.
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string OneLine(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return s;
}

void AppendRow(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
               std::string& out) {
  std::string line;
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string cell = i < cells.size() ? cells[i] : "";
    if (i > 0) line += "  ";
    line += cell;
    if (i + 1 < widths.size()) line.append(widths[i] - DisplayWidth(cell), ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line + "\n";
}

}  // namespace

std::string CellText(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return OneLine(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_object()) {
    std::string out;
    for (const auto& [key, item] : value.items()) {
      if (!out.empty()) out += ",";
      out += key + "=" + (item.is_string() ? OneLine(item.get<std::string>()) : item.dump());
    }
    return out.empty() ? "-" : out;
  }
  if (value.is_array()) {
    std::string out;
    for (const Json& item : value) {
      if (!out.empty()) out += ",";
      out += CellText(item);
    }
    return out.empty() ? "-" : out;
  }
  return value.dump();
}

std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const std::string& h : headers) widths.push_back(DisplayWidth(h));
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  AppendRow(headers, widths, out);
  for (const auto& row : rows) AppendRow(row, widths, out);
  return out;
}

std::string RenderRecords(const Json& items, const std::vector<Column>& columns) {
  std::vector<std::string> headers;
  for (const Column& c : columns) headers.push_back(c.header);
  std::vector<std::vector<std::string>> rows;
  if (items.is_array()) {
    for (const Json& item : items) {
      std::vector<std::string> row;
      for (const Column& c : columns) {
        auto it = item.is_object() ? item.find(c.field) : item.end();
        row.push_back(item.is_object() ? (it == item.end() ? "-" : CellText(*it)) : CellText(item));
      }
      rows.push_back(std::move(row));
    }
  }
  return RenderTable(headers, rows);
}

std::string RenderFields(const Json& object) {
  std::vector<std::vector<std::string>> rows;
  if (object.is_object()) {
    for (const auto& [key, value] : object.items()) rows.push_back({key, CellText(value)});
  }
  return RenderTable({"FIELD", "VALUE"}, rows);
}

}  // namespace strato::cli

#include "cli/ini_file.h"

#include <cctype>

namespace strato::cli {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status LineError(std::string_view source, int line, std::string_view what) {
  return InvalidParameter(std::string(source) + ":" + std::to_string(line) + ": " +
                          std::string(what));
}

// "[profile x]" names profile "x" in AWS config files; accept it so one file can serve both.
std::string SectionName(std::string_view header) {
  std::string_view name = Trim(header);
  constexpr std::string_view kProfilePrefix = "profile ";
  if (name.substr(0, kProfilePrefix.size()) == kProfilePrefix) {
    name = Trim(name.substr(kProfilePrefix.size()));
  }
  return std::string(name);
}

}  // namespace

Result<IniFile> ParseIni(std::string_view text, std::string_view source) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  IniFile file;
  IniSection* section = nullptr;
  int line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return LineError(source, line_no, "section header lacks ']'");
      const std::string name = SectionName(line.substr(1, line.size() - 2));
      if (name.empty()) return LineError(source, line_no, "section name is empty");
      section = &file[name];
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return LineError(source, line_no, "expected 'key = value' or '[section]'");
    }
    const std::string_view key = Trim(line.substr(0, eq));
    if (key.empty()) return LineError(source, line_no, "key is empty");
    if (section == nullptr) {
      return LineError(source, line_no, "'" + std::string(key) + "' is outside any [section]");
    }
    (*section)[std::string(key)] = std::string(Trim(line.substr(eq + 1)));
  }
  return file;
}

}  // namespace strato::cli

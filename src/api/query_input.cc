#include "api/query_input.h"

#include <charconv>

namespace strato::api {

Status CheckQueryParams(const std::map<std::string, std::string>& params,
                        std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : params) {
    bool ok = false;
    for (auto a : allowed) {
      if (!a.empty() && a.back() == '*') {
        ok = ok || (name.size() > a.size() - 1 && name.compare(0, a.size() - 1, a.substr(0, a.size() - 1)) == 0);
      } else {
        ok = ok || name == a;
      }
    }
    if (!ok) return BadRequest("UnknownParameter", "Unknown query parameter '" + name + "'.");
  }
  return OkStatus();
}

Result<int> QueryInt(const std::map<std::string, std::string>& params, const std::string& name,
                     int default_value, int min, int max) {
  auto it = params.find(name);
  if (it == params.end()) return default_value;
  int v = 0;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return InvalidParameter("'" + name + "' must be an integer between " + std::to_string(min) +
                            " and " + std::to_string(max) + ".");
  }
  return v;
}

}  // namespace strato::api

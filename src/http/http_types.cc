#include "http/http_types.h"

#include <nlohmann/json.hpp>

#include "common/uri.h"

namespace strato::http {

const std::string* Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> Request::QueryParamList() const {
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view rest = raw_query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view item = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    params.emplace_back(UriDecode(name), UriDecode(value));
  }
  return params;
}

std::map<std::string, std::string> Request::QueryParams() const {
  std::map<std::string, std::string> params;
  for (auto& [name, value] : QueryParamList()) params.emplace(std::move(name), std::move(value));
  return params;
}

Response MakeErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view request_id) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}},
                         {"request_id", request_id}};
  Response response;
  response.status = status;
  // Replace rather than throw on invalid UTF-8: messages may quote untrusted input.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace strato::http

#include "cli/api_client.h"

#include <algorithm>

#include "common/uri.h"

namespace strato::cli {
namespace {

constexpr size_t kMaxBodyInMessage = 200;

Status ErrorFromResponse(const HttpResponse& response) {
  std::string code = "HTTP" + std::to_string(response.status);
  std::string message;
  try {
    const Json body = Json::parse(response.body);
    const Json& error = body.at("error");
    code = error.at("code").get<std::string>();
    message = error.value("message", "");
  } catch (const Json::exception&) {
    // Not our error envelope (a proxy, a crash page): show the start of what came back.
    message = response.body.substr(0, kMaxBodyInMessage);
    if (message.empty()) message = "the server answered HTTP " + std::to_string(response.status);
  }
  if (!response.request_id.empty()) message += " (request id " + response.request_id + ")";
  return Status(response.status, std::move(code), std::move(message));
}

}  // namespace

std::string StringField(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

ApiClient::ApiClient(Transport& transport) : transport_(transport) {}

std::string ApiClient::EncodeQuery(QueryParams query) {
  for (auto& [key, value] : query) {
    key = UriEncode(key, /*encode_slash=*/true);
    value = UriEncode(value, /*encode_slash=*/true);
  }
  std::sort(query.begin(), query.end());  // SigV4 sorts the encoded pairs
  std::string out;
  for (const auto& [key, value] : query) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

std::string ApiClient::Segment(std::string_view value) {
  return UriEncode(value, /*encode_slash=*/true);
}

Result<Json> ApiClient::Call(std::string method, std::string target, const Json* body) {
  return Send(HttpRequest{std::move(method), std::move(target), body ? body->dump() : ""});
}

Result<Json> ApiClient::PostFile(std::string_view path, const QueryParams& query,
                                 const std::string& file) {
  std::string target(path);
  if (!query.empty()) target += "?" + EncodeQuery(query);
  return Send(HttpRequest{"POST", std::move(target), "", file});
}

Result<Json> ApiClient::Send(const HttpRequest& request) {
  STRATO_ASSIGN_OR_RETURN(HttpResponse response, transport_.Send(request));
  if (response.status < 200 || response.status > 299) return ErrorFromResponse(response);
  if (response.body.empty()) return Json();
  try {
    return Json::parse(response.body);
  } catch (const Json::exception& e) {
    return Status(502, "InvalidResponse",
                  "the server's answer to " + request.method + " " + request.target +
                      " is not JSON: " + e.what());
  }
}

Result<Json> ApiClient::Get(std::string_view path, const QueryParams& query) {
  std::string target(path);
  if (!query.empty()) target += "?" + EncodeQuery(query);
  return Call("GET", std::move(target), nullptr);
}

Result<Json> ApiClient::Post(std::string_view path, const Json& body) {
  return Call("POST", std::string(path), &body);
}

Result<Json> ApiClient::Put(std::string_view path, const Json& body) {
  return Call("PUT", std::string(path), &body);
}

Result<Json> ApiClient::Patch(std::string_view path, const Json& body) {
  return Call("PATCH", std::string(path), &body);
}

Result<Json> ApiClient::Delete(std::string_view path) {
  return Call("DELETE", std::string(path), nullptr);
}

Result<Json> ApiClient::Delete(std::string_view path, const Json& body) {
  return Call("DELETE", std::string(path), &body);
}

Result<Json> ApiClient::List(std::string_view path, QueryParams query,
                             const std::string& collection, bool all) {
  Json merged = {{collection, Json::array()}};
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(Json page, Get(path, query));
    if (!page.is_object()) {
      return Status(502, "InvalidResponse",
                    "the answer to GET " + std::string(path) + " is not a JSON object");
    }
    if (!all) return page;
    if (auto items = page.find(collection); items != page.end() && items->is_array()) {
      for (auto& item : *items) merged[collection].push_back(std::move(item));
    }
    auto token = page.find("next_token");
    if (token == page.end() || !token->is_string() || token->get<std::string>().empty()) {
      return merged;
    }
    std::erase_if(query, [](const auto& kv) { return kv.first == "next_token"; });
    query.emplace_back("next_token", token->get<std::string>());
  }
}

}  // namespace strato::cli

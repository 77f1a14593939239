#pragma once
// Typed access to the native REST API (docs/api.md) over a Transport: builds targets and JSON
// bodies, turns non-2xx answers into Status values carrying the server's error code.
//
// Query strings are emitted in SigV4 canonical form (sorted by key, RFC 3986 percent-encoding)
// because curl 7.88 signs the query string exactly as sent; any other order would make the
// server's canonical request differ. Thread-safety: single-threaded, like the Transport.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/transport.h"
#include "common/status.h"

namespace strato::cli {

// Keeps the server's field order in json output and in "show" tables.
using Json = nlohmann::ordered_json;
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// obj[key] when obj is an object holding a string there, else "" (never throws).
std::string StringField(const Json& obj, std::string_view key);

class ApiClient {
 public:
  explicit ApiClient(Transport& transport);  // not owned; must outlive the client

  // Each returns the parsed JSON body, or null for an empty body (204). Errors: the server's
  // (http status, code, message) for 4xx/5xx; "InvalidResponse" (502) when a body is not JSON;
  // the transport's ConnectionFailure.
  Result<Json> Get(std::string_view path, const QueryParams& query = {});
  Result<Json> Post(std::string_view path, const Json& body = Json::object());
  Result<Json> Put(std::string_view path, const Json& body);
  Result<Json> Patch(std::string_view path, const Json& body);
  Result<Json> Delete(std::string_view path);
  Result<Json> Delete(std::string_view path, const Json& body);
  // POSTs the file at `file` as the raw body, streamed (HttpRequest::body_file).
  Result<Json> PostFile(std::string_view path, const QueryParams& query, const std::string& file);

  // GET a list route, following next_token across pages when `all` is set. The result has the
  // shape of one page: {"<collection>": [...], "next_token"?} (next_token only if !all).
  Result<Json> List(std::string_view path, QueryParams query, const std::string& collection,
                    bool all);

  // "key=value&..." sorted by key then value, both percent-encoded; "" for no params.
  static std::string EncodeQuery(QueryParams query);
  // One path segment (an id or a name), percent-encoded so it cannot change the route.
  static std::string Segment(std::string_view value);

 private:
  Result<Json> Call(std::string method, std::string target, const Json* body);
  Result<Json> Send(const HttpRequest& request);

  Transport& transport_;
};

}  // namespace strato::cli

#pragma once
// Router: maps (method, path pattern) to a handler. Patterns are literal segments and
// {name} captures, e.g. "/v1/instances/{id}/stop". A path that matches a pattern under a
// different method answers 405; no match at all answers 404.
// Thread-safety: build fully before serving; Match() is then const and thread-safe.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.h"

namespace strato::api {

using PathParams = std::map<std::string, std::string>;
using RouteHandler = std::function<http::Response(http::Request&, const PathParams&)>;

class Router {
 public:
  // `streaming`: the handler reads the body as it arrives (http::Request::body_stream);
  // see http::ServerOptions::stream_body, which asks Streams().
  void Add(std::string method, std::string pattern, RouteHandler handler, bool streaming = false);

  struct Match {
    const RouteHandler* handler = nullptr;  // nullptr: no route
    bool method_mismatch = false;           // the path exists under another method
    PathParams params;
    std::string route;  // "GET /v1/instances/{id}", the metric label
    bool streaming = false;
  };
  Match Find(std::string_view method, std::string_view path) const;
  // True when (method, path) matches a streaming route.
  bool Streams(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    RouteHandler handler;
    bool streaming = false;
  };
  std::vector<Route> routes_;
};

}  // namespace strato::api

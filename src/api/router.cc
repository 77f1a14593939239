#include "api/router.h"

#include "common/uri.h"

namespace strato::api {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteHandler handler, bool streaming) {
  Route r{std::move(method), pattern, {}, std::move(handler), streaming};
  for (auto s : Split(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  auto parts = Split(path);
  for (const Route& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    PathParams params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = r.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        params[seg.substr(1, seg.size() - 2)] = UriDecode(parts[i]);
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      m.method_mismatch = true;
      continue;
    }
    m.handler = &r.handler;
    m.params = std::move(params);
    m.route = r.method + " " + r.pattern;
    m.method_mismatch = false;
    m.streaming = r.streaming;
    return m;
  }
  return m;
}

bool Router::Streams(std::string_view method, std::string_view path) const {
  return Find(method, path).streaming;
}

}  // namespace strato::api

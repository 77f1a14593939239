#include "api/s3/object_preconditions.h"

#include <ctime>

namespace strato::api::s3 {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a list of entity tags ("a", W/"b", or *) names `etag`. The comparison is strong
// for If-Match and weak for If-None-Match, which differ only for weak tags; objects have
// strong ones, so the W/ prefix is simply dropped.
bool ListMatches(std::string_view list, const std::string& etag) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
      item = item.substr(1, item.size() - 2);
    }
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  const std::string s(Trim(text));
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"}) {
    std::tm tm{};
    const char* end = strptime(s.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return static_cast<int64_t>(timegm(&tm));
  }
  return std::nullopt;
}

Precondition EvaluatePreconditions(const http::Request& request, std::string_view prefix,
                                   const std::string& etag, int64_t last_modified_ms) {
  auto header = [&](std::string_view name) {
    return request.Header(std::string(prefix) + std::string(name));
  };
  // HTTP dates have whole seconds; so does Last-Modified as sent.
  const int64_t modified = last_modified_ms / 1000;
  if (const std::string* match = header("if-match")) {
    if (!ListMatches(*match, etag)) return Precondition::kFailed;
  } else if (const std::string* since = header("if-unmodified-since")) {
    auto date = ParseHttpDate(*since);
    if (date && modified > *date) return Precondition::kFailed;
  }
  if (const std::string* none = header("if-none-match")) {
    if (ListMatches(*none, etag)) return Precondition::kNotModified;
  } else if (const std::string* since = header("if-modified-since")) {
    auto date = ParseHttpDate(*since);
    if (date && modified <= *date) return Precondition::kNotModified;
  }
  return Precondition::kServe;
}

}  // namespace strato::api::s3

#include "api/s3/stored_headers.h"

#include <strings.h>

#include <array>
#include <nlohmann/json.hpp>

namespace strato::api::s3 {
namespace {

constexpr std::array<const char*, 5> kStored = {"Cache-Control", "Content-Disposition",
                                                "Content-Encoding", "Content-Language", "Expires"};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// "aws-chunked, gzip" -> "gzip"; "aws-chunked" -> "".
std::string WithoutAwsChunked(const std::string& value) {
  std::string out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item =
        Trim(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty() && strcasecmp(item.c_str(), "aws-chunked") != 0) {
      out += (out.empty() ? "" : ", ") + item;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> StoredHeadersOf(const http::Request& request) {
  std::map<std::string, std::string> out;
  for (const char* name : kStored) {
    const std::string* v = request.Header(Lower(name));
    if (!v) continue;
    std::string value = std::string(name) == "Content-Encoding" ? WithoutAwsChunked(*v) : *v;
    if (!value.empty()) out[name] = value;
  }
  return out;
}

void AddStoredHeaders(const std::string& json, http::Response& out) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return;
  for (auto& [k, v] : j.items()) {
    if (v.is_string()) out.headers.emplace_back(k, v.get<std::string>());
  }
}

void SetHeader(http::Response& out, const std::string& name, const std::string& value) {
  std::erase_if(out.headers,
                [&](const auto& h) { return strcasecmp(h.first.c_str(), name.c_str()) == 0; });
  out.headers.emplace_back(name, value);
}

}  // namespace strato::api::s3

// The canonical-request half of sigv4.h: URI, query and header canonicalisation.
#include <algorithm>
#include <string>
#include <vector>

#include "common/sigv4.h"

namespace strato::sigv4 {
namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and folds every run of whitespace into one space, as botocore's
// ' '.join(value.split()) does.
std::string FoldHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 section 5.2.4 plus AWS's removal of empty segments ("//" -> "/").
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (path.back() == '/' && !segments.empty()) out.push_back('/');
  return out;
}

// S3: the client's escapes are kept as sent; anything it left raw gets encoded once.
std::string EncodeS3Path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && IsHexDigit(path[i + 1]) &&
        IsHexDigit(path[i + 2])) {
      out.append(path.substr(i, 3));
      i += 2;
    } else {
      out.append(UriEncode(path.substr(i, 1), /*encode_slash=*/false));
    }
  }
  return out;
}

std::vector<std::string> SortedLowerNames(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& n : names) out.push_back(AsciiLower(n));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string CanonicalHeaderValue(const Headers& headers, std::string_view lower_name) {
  std::string joined;
  bool first = true;
  for (const auto& [name, value] : headers) {
    if (AsciiLower(name) != lower_name) continue;
    if (!first) joined.push_back(',');
    joined.append(FoldHeaderValue(value));
    first = false;
  }
  return joined;
}

}  // namespace

std::string CanonicalUri(std::string_view raw_path, bool s3_style_path) {
  if (raw_path.empty()) return "/";
  if (s3_style_path) return EncodeS3Path(raw_path);
  return UriEncode(NormalizePath(raw_path), /*encode_slash=*/false);
}

std::string CanonicalQueryString(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view pair = raw_query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    std::string decoded_name = UriDecode(name);
    if (decoded_name == "X-Amz-Signature") continue;
    params.emplace_back(UriEncode(decoded_name, true), UriEncode(UriDecode(value), true));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string SignedHeadersLine(const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const auto& name : SortedLowerNames(signed_headers)) {
    if (!out.empty()) out.push_back(';');
    out.append(name);
  }
  return out;
}

std::string CanonicalRequest(const HttpRequestView& request,
                             const std::vector<std::string>& signed_headers, bool s3_style_path) {
  std::vector<std::string> names = SortedLowerNames(signed_headers);
  std::string out;
  out.append(request.method).push_back('\n');
  out.append(CanonicalUri(request.raw_path, s3_style_path)).push_back('\n');
  out.append(CanonicalQueryString(request.raw_query)).push_back('\n');
  for (const auto& name : names) {
    out.append(name).append(":").append(CanonicalHeaderValue(request.headers, name));
    out.push_back('\n');
  }
  out.push_back('\n');
  out.append(SignedHeadersLine(names)).push_back('\n');
  out.append(request.payload_hash);
  return out;
}

}  // namespace strato::sigv4

#pragma once
// Internal to the S3 front end: what s3_api.cc and s3_multipart.cc share — the request being
// served and the XML/error rendering helpers.

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "api/digest_checked_body.h"
#include "api/request_auth.h"
#include "api/s3/aws_chunked_body.h"
#include "api/s3/s3_acl.h"
#include "api/s3/object_preconditions.h"
#include "api/s3/s3_api.h"
#include "api/s3/s3_xml.h"
#include "api/s3/stored_headers.h"
#include "api/s3/upload_checksum.h"
#include "common/uri.h"

namespace strato::api::s3 {

inline constexpr std::string_view kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

inline std::string HostWithoutPort(const http::Request& r) {
  const std::string* host = r.Header("host");
  if (!host) return "";
  std::string h = *host;
  size_t colon = h.rfind(':');
  if (colon != std::string::npos && h.find(']') == std::string::npos) h.resize(colon);
  return h;
}

inline http::Response Xml(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "application/xml";
  r.body = std::string(kXmlDecl) + body;
  return r;
}

inline http::Response Error(const Status& s, const http::Request& r, const std::string& resource) {
  http::Response out;
  out.status = s.http_status();
  out.content_type = "application/xml";
  out.headers.emplace_back("x-amz-request-id", r.request_id);
  if (r.method != "HEAD") {
    out.body = std::string(kXmlDecl) + "<Error>" + Element("Code", s.code()) +
               Element("Message", s.message()) + Element("Resource", resource) +
               Element("RequestId", r.request_id) + "</Error>";
  }
  return out;
}

// x-amz-copy-source ("/bucket/key" or "bucket/key", URL-encoded, maybe "?versionId=…") as
// (bucket, key); nullopt when it does not name both.
inline std::optional<std::pair<std::string, std::string>> ParseCopySource(
    const std::string& header) {
  std::string src = UriDecode(header);
  if (src.find('?') != std::string::npos) src.resize(src.find('?'));
  if (!src.empty() && src.front() == '/') src.erase(0, 1);
  size_t slash = src.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= src.size()) return std::nullopt;
  return std::make_pair(src.substr(0, slash), src.substr(slash + 1));
}

inline Status BadCopySource() {
  return BadRequest("InvalidArgument",
                    "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
}

// Whether the query names a bucket or object sub-resource such as ?acl or ?tagging
// (s3_subresources.cc); such a request is never an object upload.
bool NamesSubresource(const http::Request& request);

inline Status PreconditionFailed() {
  return Status(412, "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold");
}

inline std::string Quoted(const std::string& etag) { return "\"" + etag + "\""; }

inline std::optional<int> ParseInt(const std::string& s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}


struct S3Api::Call {
  http::Request& request;
  std::map<std::string, std::string> query;  // decoded; the first value of each name
  std::string bucket;
  std::string key;
  Principal principal;
  IdentityCommands::S3Auth auth;
  std::string resource;  // "/bucket/key", for error documents

  bool Has(const std::string& name) const { return query.count(name) > 0; }
  std::string Q(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
  }
  std::string H(std::string_view name) const {
    const std::string* v = request.Header(name);
    return v ? *v : "";
  }
};

// An upload's body as PutObject and UploadPart read it: streamed through the aws-chunked
// decoder or the payload-hash check as the request declares, or (small requests that were
// not streamed) from the buffered body.
// A body the server already buffered, read as a stream (so checksums wrap it alike).
class BufferedBody final : public http::BodyStream {
 public:
  explicit BufferedBody(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* out, size_t max) override {
    size_t n = std::min(max, data_.size());
    std::memcpy(out, data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }
  std::optional<uint64_t> content_length() const override { return data_.size(); }

 private:
  std::string_view data_;
};

struct S3Api::UploadBody {
  std::optional<DigestCheckedBody> checked;
  std::optional<AwsChunkedBody> chunked;
  std::optional<BufferedBody> whole;
  std::optional<ChecksumCheckedBody> checksummed;
  Status error = OkStatus();  // a malformed checksum declaration: the first Read answers it
  http::BodyStream* source = nullptr;
  std::string_view buffered;
  size_t buffered_at = 0;
};

// The verified checksum of an upload as its response header (PutObject, UploadPart).
void AddChecksumHeader(http::Response& out, const PutObjectInput& in);

}  // namespace strato::api::s3

#include "api/s3/s3_api.h"

#include <strings.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "api/digest_checked_body.h"
#include "api/s3/aws_chunked_body.h"
#include "api/s3/s3_internal.h"
#include "api/s3/s3_xml.h"
#include "common/base64.h"
#include "common/sigv4.h"

namespace strato::api::s3 {
S3Api::S3Api(S3ApiDeps deps) : d_(std::move(deps)) {}

std::optional<std::string> S3Api::HostedBucket(const http::Request& r) const {
  const std::string host = HostWithoutPort(r);
  const std::string& domain = d_.domain;
  if (host.size() <= domain.size() + 1 ||
      host.compare(host.size() - domain.size(), domain.size(), domain) != 0 ||
      host[host.size() - domain.size() - 1] != '.') {
    return std::nullopt;
  }
  return host.substr(0, host.size() - domain.size() - 1);
}

bool S3Api::Claims(const http::Request& r) const {
  if (HostedBucket(r)) return true;
  // Path-style: the native API's and the agents' prefixes stay theirs whatever the
  // signature says (so "v1" and "agent" are reserved bucket names).
  if (r.path.rfind("/v1/", 0) == 0 || r.path.rfind("/agent/", 0) == 0) return false;
  return api::SignedService(r) == "s3";
}

bool S3Api::StreamsBody(const http::Request& r) const {
  if (r.method != "PUT" || !Claims(r) || NamesSubresource(r)) return false;
  // An object upload: PUT on a key (a bucket-level PUT carries a small XML body).
  std::string_view path(r.path);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (HostedBucket(r)) return !path.empty();
  size_t slash = path.find('/');
  return slash != std::string_view::npos && slash + 1 < path.size();
}

http::Response S3Api::Handle(http::Request& r) {
  Call call{r, {}, {}, {}, {}, {}, {}};
  for (auto& [k, v] : r.QueryParamList()) call.query.try_emplace(k, v);
  // Addressing.
  std::string_view path(r.path);
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (auto hosted = HostedBucket(r)) {
    call.bucket = *hosted;
    call.key = UriDecode(path);
  } else {
    size_t slash = path.find('/');
    call.bucket = UriDecode(path.substr(0, slash));
    if (slash != std::string_view::npos) call.key = UriDecode(path.substr(slash + 1));
  }
  call.resource = "/" + call.bucket + (call.key.empty() ? "" : "/" + call.key);

  // Authentication: one path for header-signed and presigned requests.
  sigv4::HttpRequestView view;
  view.method = r.method;
  view.raw_path = r.path;
  view.raw_query = r.raw_query;
  for (const auto& [k, v] : r.headers) view.headers.emplace_back(k, v);
  const std::string declared = call.H("x-amz-content-sha256");
  const bool presigned = r.Header("authorization") == nullptr;
  if (!presigned && declared.empty()) {
    return Error(BadRequest("InvalidRequest",
                            "Missing required header for this request: x-amz-content-sha256"),
                 r, call.resource);
  }
  view.payload_hash = declared;
  auto auth = d_.identity->AuthenticateS3(view);
  if (!auth.ok()) return Error(auth.status(), r, call.resource);
  call.auth = *auth;
  call.principal = auth->principal;

  // A buffered body is checked here; a streamed one as it is read (PutObject).
  if (r.body_stream == nullptr && !presigned && declared != sigv4::kUnsignedPayload &&
      declared.rfind("STREAMING-", 0) != 0 && declared != sigv4::Sha256Hex(r.body)) {
    return Error(BadRequest("XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what was "
                            "computed."),
                 r, call.resource);
  }
  http::Response out = Dispatch(call);
  out.headers.emplace_back("x-amz-request-id", r.request_id);
  return out;
}

http::Response S3Api::Dispatch(Call& c) {
  const std::string& m = c.request.method;
  auto fail = [&](const Status& s) { return Error(s, c.request, c.resource); };
  if (c.bucket.empty()) {
    if (m == "GET") return ListBuckets(c);
    return fail(Status(405, "MethodNotAllowed",
                       "The specified method is not allowed against this resource."));
  }
  if (auto answer = Subresource(c)) return std::move(*answer);
  if (c.key.empty()) {
    if (m == "PUT") return CreateBucket(c);
    if (m == "HEAD" || (m == "GET" && c.Has("location"))) {
      auto b = d_.objects->GetBucket(c.principal, c.bucket);
      if (!b.ok()) return fail(b.status());
      if (m == "HEAD") {
        http::Response r;
        r.headers.emplace_back("x-amz-bucket-region", d_.region);
        return r;
      }
      return Xml(200, "<LocationConstraint xmlns=\"" + std::string(kS3Namespace) + "\">" +
                          XmlEscape(d_.region) + "</LocationConstraint>");
    }
    if (m == "GET" && c.Has("uploads")) return ListUploads(c);
    if (m == "GET") return ListObjects(c, c.Q("list-type") == "2");
    if (m == "DELETE") {
      Status s = d_.objects->DeleteBucket(c.principal, c.bucket);
      if (!s.ok()) return fail(s);
      http::Response r;
      r.status = 204;
      return r;
    }
    if (m == "POST" && c.Has("delete")) return DeleteObjects(c);
    return fail(Status(405, "MethodNotAllowed",
                       "The specified method is not allowed against this resource."));
  }
  if ((m == "POST" && c.Has("uploads")) || c.Has("uploadId")) return Multipart(c);
  if (m == "PUT") {
    std::string source = c.H("x-amz-copy-source");
    return source.empty() ? PutObject(c) : CopyObject(c, source);
  }
  if (m == "GET" || m == "HEAD") return GetObject(c, m == "HEAD");
  if (m == "DELETE") {
    Status s = d_.objects->DeleteObject(c.principal, c.bucket, c.key);
    if (!s.ok()) return fail(s);
    http::Response r;
    r.status = 204;
    return r;
  }
  return fail(Status(405, "MethodNotAllowed",
                     "The specified method is not allowed against this resource."));
}

http::Response S3Api::ListBuckets(Call& c) {
  auto buckets = d_.objects->ListBuckets(c.principal);
  if (!buckets.ok()) return Error(buckets.status(), c.request, "/");
  std::string x = "<ListAllMyBucketsResult xmlns=\"" + std::string(kS3Namespace) + "\"><Owner>" +
                  Element("ID", c.principal.tenant_id) +
                  Element("DisplayName", c.principal.tenant_id) + "</Owner><Buckets>";
  for (const Bucket& b : *buckets) {
    x += "<Bucket>" + Element("Name", b.name) + Element("CreationDate", IsoTime(b.created_at)) +
         "</Bucket>";
  }
  return Xml(200, x + "</Buckets></ListAllMyBucketsResult>");
}

http::Response S3Api::CreateBucket(Call& c) {
  if (Status s = CheckAclHeaders(c.request, c.principal.tenant_id); !s.ok()) {
    return Error(s, c.request, c.resource);
  }
  if (!c.request.body.empty()) {
    pugi::xml_document doc;
    if (!doc.load_string(c.request.body.c_str())) {
      return Error(BadRequest("MalformedXML",
                              "The XML you provided was not well-formed or did "
                              "not validate against our published schema."),
                   c.request, c.resource);
    }
    std::string location =
        doc.child("CreateBucketConfiguration").child("LocationConstraint").text().as_string();
    if (!location.empty() && location != d_.region) {
      return Error(BadRequest("IllegalLocationConstraintException",
                              "The " + location +
                                  " location constraint is incompatible for the "
                                  "region specific endpoint this request was sent to (" +
                                  d_.region + ")."),
                   c.request, c.resource);
    }
  }
  auto b = d_.objects->CreateBucket(c.principal, c.bucket);
  if (!b.ok()) return Error(b.status(), c.request, c.resource);
  http::Response r;
  r.headers.emplace_back("Location", "/" + c.bucket);
  return r;
}

http::Response S3Api::ListObjects(Call& c, bool v2) {
  ListObjectsInput in;
  in.bucket = c.bucket;
  in.prefix = c.Q("prefix");
  in.delimiter = c.Q("delimiter");
  if (c.Has("max-keys")) {
    auto n = ParseInt(c.Q("max-keys"));
    if (!n || *n < 0) {
      return Error(BadRequest("InvalidArgument", "max-keys must be a non-negative integer."),
                   c.request, c.resource);
    }
    in.max_keys = *n;
  }
  const bool url = c.Q("encoding-type") == "url";
  auto enc = [&](const std::string& s) { return url ? UriEncode(s, false) : s; };
  std::string token;
  if (v2) {
    token = c.Q("continuation-token");
    if (!token.empty()) {
      auto decoded = Base64Decode(token);
      if (!decoded) {
        return Error(BadRequest("InvalidArgument", "The continuation token provided is incorrect."),
                     c.request, c.resource);
      }
      in.after = *decoded;
    } else {
      in.after = c.Q("start-after");
    }
  } else {
    in.after = c.Q("marker");
  }
  auto res = d_.objects->ListObjects(c.principal, in);
  if (!res.ok()) return Error(res.status(), c.request, c.resource);
  std::string x = std::string(v2 ? "<ListBucketResult" : "<ListBucketResult") + " xmlns=\"" +
                  std::string(kS3Namespace) + "\">" + Element("Name", c.bucket) +
                  Element("Prefix", enc(in.prefix)) +
                  Element("MaxKeys", std::to_string(in.max_keys)) +
                  (in.delimiter.empty() ? "" : Element("Delimiter", enc(in.delimiter))) +
                  (url ? Element("EncodingType", "url") : "") +
                  Element("IsTruncated", res->truncated ? "true" : "false");
  if (v2) {
    x += Element("KeyCount", std::to_string(res->objects.size() + res->common_prefixes.size()));
    if (!token.empty()) x += Element("ContinuationToken", token);
    if (c.Has("start-after")) x += Element("StartAfter", enc(c.Q("start-after")));
    if (res->truncated) x += Element("NextContinuationToken", Base64Encode(res->next_after));
  } else {
    x += Element("Marker", enc(in.after));
    if (res->truncated && !in.delimiter.empty()) x += Element("NextMarker", enc(res->next_after));
  }
  for (const ObjectRecord& o : res->objects) {
    x += "<Contents>" + Element("Key", enc(o.key)) +
         Element("LastModified", IsoTime(o.created_at)) + Element("ETag", Quoted(o.etag)) +
         Element("Size", std::to_string(o.size)) + Element("StorageClass", "STANDARD") +
         "</Contents>";
  }
  for (const std::string& p : res->common_prefixes) {
    x += "<CommonPrefixes>" + Element("Prefix", enc(p)) + "</CommonPrefixes>";
  }
  return Xml(200, x + "</ListBucketResult>");
}

http::Response S3Api::DeleteObjects(Call& c) {
  pugi::xml_document doc;
  if (!doc.load_string(c.request.body.c_str()) || !doc.child("Delete")) {
    return Error(BadRequest("MalformedXML",
                            "The XML you provided was not well-formed or did not "
                            "validate against our published schema."),
                 c.request, c.resource);
  }
  const bool quiet = std::string(doc.child("Delete").child("Quiet").text().as_string()) == "true";
  std::string x = "<DeleteResult xmlns=\"" + std::string(kS3Namespace) + "\">";
  auto objects = doc.child("Delete").children("Object");
  if (std::distance(objects.begin(), objects.end()) > 1000) {
    return Error(BadRequest("MalformedXML", "At most 1000 keys may be deleted at once."), c.request,
                 c.resource);
  }
  for (auto node : objects) {
    std::string key = node.child("Key").text().as_string();
    Status s = d_.objects->DeleteObject(c.principal, c.bucket, key);
    if (s.ok()) {
      if (!quiet) x += "<Deleted>" + Element("Key", key) + "</Deleted>";
    } else {
      x += "<Error>" + Element("Key", key) + Element("Code", s.code()) +
           Element("Message", s.message()) + "</Error>";
    }
  }
  return Xml(200, x + "</DeleteResult>");
}

void S3Api::PrepareUpload(Call& c, UploadBody& body, PutObjectInput& in) {
  http::Request& r = c.request;
  body.buffered = r.body;
  body.source = r.body_stream;
  const std::string declared = c.H("x-amz-content-sha256");
  std::optional<uint64_t> decoded_length;
  if (auto v = ParseInt(c.H("x-amz-decoded-content-length")); v) decoded_length = *v;
  if (body.source != nullptr) {
    if (declared == sigv4::kStreamingPayload ||
        declared == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
      body.chunked.emplace(*body.source,
                           ChunkSigning{c.auth.signing_key, c.auth.amz_date, c.auth.credential,
                                        c.auth.seed_signature},
                           decoded_length);
      body.source = &*body.chunked;
    } else if (declared == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
      body.chunked.emplace(*body.source, std::nullopt, decoded_length);
      body.source = &*body.chunked;
    } else if (!declared.empty() && declared != sigv4::kUnsignedPayload) {
      body.checked.emplace(*body.source, declared);
      body.source = &*body.checked;
    }
  }
  in.bucket = c.bucket;
  in.key = c.key;
  in.content_type = c.H("content-type");
  in.headers = StoredHeadersOf(r);
  for (const auto& [k, v] : r.headers) {
    if (k.rfind("x-amz-meta-", 0) == 0) in.user_metadata[k.substr(11)] = v;
  }
  if (r.Header("content-md5")) in.content_md5_base64 = c.H("content-md5");
  AddChecksumCheck(r, body, in);
  in.read = [&body](char* out, size_t max) -> Result<size_t> {
    if (!body.error.ok()) return body.error;
    if (body.source) return body.source->Read(out, max);
    size_t n = std::min(max, body.buffered.size() - body.buffered_at);
    std::memcpy(out, body.buffered.data() + body.buffered_at, n);
    body.buffered_at += n;
    return n;
  };
}

// Wraps the upload's source in the verification of its declared additional checksum.
void S3Api::AddChecksumCheck(const http::Request& r, UploadBody& body, PutObjectInput& in) {
  auto declared = ParseUploadChecksum(r);
  if (!declared.ok()) {
    body.error = declared.status();
    return;
  }
  if (!declared->algorithm) return;
  if (!body.source) {
    body.whole.emplace(body.buffered);
    body.source = &*body.whole;
  }
  const AwsChunkedBody* chunked = body.chunked ? &*body.chunked : nullptr;
  auto expected = [want = *declared, chunked]() -> std::optional<std::string> {
    if (want.header_value) return want.header_value;
    if (!chunked) return std::nullopt;
    auto it = chunked->trailers().find(ChecksumHeader(*want.algorithm));
    if (it == chunked->trailers().end()) return std::nullopt;
    return it->second;
  };
  in.checksum_algorithm = declared->algorithm;
  body.checksummed.emplace(*body.source, *declared->algorithm, std::move(expected),
                           &in.checksum_base64);
  body.source = &*body.checksummed;
}

void AddChecksumHeader(http::Response& out, const PutObjectInput& in) {
  if (in.checksum_algorithm && !in.checksum_base64.empty()) {
    out.headers.emplace_back(ChecksumHeader(*in.checksum_algorithm), in.checksum_base64);
  }
}

http::Response S3Api::PutObject(Call& c) {
  if (Status s = CheckAclHeaders(c.request, c.principal.tenant_id); !s.ok()) {
    return Error(s, c.request, c.resource);
  }
  UploadBody body;
  PutObjectInput in;
  PrepareUpload(c, body, in);
  auto o = d_.objects->PutObject(c.principal, in);
  if (!o.ok()) return Error(o.status(), c.request, c.resource);
  http::Response out;
  out.headers.emplace_back("ETag", Quoted(o->etag));
  AddChecksumHeader(out, in);
  return out;
}

http::Response S3Api::CopyObject(Call& c, const std::string& source) {
  if (Status s = CheckAclHeaders(c.request, c.principal.tenant_id); !s.ok()) {
    return Error(s, c.request, c.resource);
  }
  auto src = ParseCopySource(source);
  if (!src) return Error(BadCopySource(), c.request, c.resource);
  std::optional<PutObjectInput> replace;
  if (c.H("x-amz-metadata-directive") == "REPLACE") {
    replace.emplace();
    replace->content_type = c.H("content-type");
    replace->headers = StoredHeadersOf(c.request);
    for (const auto& [k, v] : c.request.headers) {
      if (k.rfind("x-amz-meta-", 0) == 0) replace->user_metadata[k.substr(11)] = v;
    }
  }
  auto check_source = [&](const ObjectRecord& o) -> Status {
    if (EvaluatePreconditions(c.request, "x-amz-copy-source-", o.etag, o.created_at) ==
        Precondition::kServe) {
      return OkStatus();
    }
    return PreconditionFailed();
  };
  auto o = d_.objects->CopyObject(c.principal, src->first, src->second, c.bucket, c.key, replace,
                                  check_source);
  if (!o.ok()) return Error(o.status(), c.request, c.resource);
  return Xml(200, "<CopyObjectResult xmlns=\"" + std::string(kS3Namespace) + "\">" +
                      Element("LastModified", IsoTime(o->created_at)) +
                      Element("ETag", Quoted(o->etag)) + "</CopyObjectResult>");
}

// Adapts an ObjectReader to the HTTP server's streamed response body.
class ReaderSource final : public http::BodySource {
 public:
  explicit ReaderSource(std::unique_ptr<ObjectReader> reader) : reader_(std::move(reader)) {}
  uint64_t size() const override { return reader_->size(); }
  Result<size_t> Read(char* out, size_t max) override { return reader_->Read(out, max); }
  // Lets the server sendfile the object straight from the page cache.
  std::optional<FileRange> file() const override {
    return FileRange{reader_->fd(), reader_->position()};
  }

 private:
  std::unique_ptr<ObjectReader> reader_;
};

// The answer when a GetObject/HeadObject precondition does not hold: 304 with the
// validators, or 412.
std::optional<http::Response> S3Api::Unmet(Call& c, const ObjectRecord& o) {
  switch (EvaluatePreconditions(c.request, "", o.etag, o.created_at)) {
    case Precondition::kServe:
      return std::nullopt;
    case Precondition::kFailed:
      return Error(PreconditionFailed(), c.request, c.resource);
    case Precondition::kNotModified: {
      http::Response r;
      r.status = 304;
      r.headers.emplace_back("ETag", Quoted(o.etag));
      r.headers.emplace_back("Last-Modified", HttpDate(o.created_at));
      return r;
    }
  }
  return std::nullopt;
}

// GetObject's response-* query parameters (what presigned download links use to name the
// file): they set the header of the answer, not the object.
void S3Api::ApplyResponseOverrides(Call& c, http::Response& out) {
  static constexpr std::pair<const char*, const char*> kOverrides[] = {
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},
      {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"}};
  if (c.Has("response-content-type")) out.content_type = c.Q("response-content-type");
  for (const auto& [param, header] : kOverrides) {
    if (c.Has(param)) SetHeader(out, header, c.Q(param));
  }
}

http::Response S3Api::GetObject(Call& c, bool head) {
  http::Response out;
  auto add_headers = [&](const ObjectRecord& o) {
    out.content_type = o.content_type;
    out.headers.emplace_back("ETag", Quoted(o.etag));
    out.headers.emplace_back("Last-Modified", HttpDate(o.created_at));
    out.headers.emplace_back("Accept-Ranges", "bytes");
    AddStoredHeaders(o.headers, out);
    auto meta = nlohmann::json::parse(o.user_metadata, nullptr, false);
    if (meta.is_object()) {
      for (auto& [k, v] : meta.items()) {
        if (v.is_string()) out.headers.emplace_back("x-amz-meta-" + k, v.get<std::string>());
      }
    }
  };
  // Stored checksums are shown on request, and only for whole objects.
  const bool checksum_mode = c.H("x-amz-checksum-mode") == "ENABLED";
  auto add_checksum = [&](const ObjectRecord& o) {
    if (!checksum_mode) return;
    for (auto& h : ChecksumResponseHeaders(o.checksum)) out.headers.push_back(std::move(h));
  };
  std::optional<int> part;  // ?partNumber=N: part N of a multipart object
  if (c.Has("partNumber")) {
    part = ParseInt(c.Q("partNumber"));
    // Not an integer: out of range. An integer is judged with the object (PartRange).
    if (!part) return Error(CheckPartNumber(0), c.request, c.resource);
  }
  // A range or part is a 206; whole objects alone carry their checksum.
  auto add_range = [&](const ObjectRecord& o, const std::optional<ObjectRange>& range) {
    if (range) {
      out.status = 206;
      out.headers.emplace_back("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                                    std::to_string(range->last) + "/" +
                                                    std::to_string(o.size));
    } else {
      add_checksum(o);
    }
    if (part && PartsCount(o) > 0) {
      out.headers.emplace_back("x-amz-mp-parts-count", std::to_string(PartsCount(o)));
    }
  };
  if (head) {
    auto o = d_.objects->HeadObject(c.principal, c.bucket, c.key);
    if (!o.ok()) return Error(o.status(), c.request, c.resource);
    if (auto stop = Unmet(c, *o)) return std::move(*stop);
    std::optional<ObjectRange> range;
    if (part) {
      auto r = PartRange(*o, *part);
      if (!r.ok()) return Error(r.status(), c.request, c.resource);
      range = *r;
    }
    add_headers(*o);
    ApplyResponseOverrides(c, out);
    add_range(*o, range);
    const uint64_t length = range ? range->last - range->first + 1 : o->size;
    out.headers.emplace_back("Content-Length", std::to_string(length));
    return out;
  }
  auto opened = d_.objects->GetObject(c.principal, c.bucket, c.key, c.H("range"), part);
  if (!opened.ok()) return Error(opened.status(), c.request, c.resource);
  if (auto stop = Unmet(c, opened->record)) return std::move(*stop);
  add_headers(opened->record);
  ApplyResponseOverrides(c, out);
  add_range(opened->record, opened->range);
  out.body_source = std::make_shared<ReaderSource>(std::move(opened->reader));
  return out;
}

}  // namespace strato::api::s3

// S3Api: multipart uploads — Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
// ListMultipartUploads.
#include <pugixml.hpp>

#include "api/s3/s3_internal.h"
#include "common/uri.h"

namespace strato::api::s3 {
namespace {

std::string Ns() { return " xmlns=\"" + std::string(kS3Namespace) + "\""; }

// <ChecksumAlgorithm> of an upload created with one; "" otherwise.
std::string AlgorithmElement(const MultipartUpload& u) {
  return u.checksum_algorithm.empty() ? "" : Element("ChecksumAlgorithm", u.checksum_algorithm);
}

// <ChecksumSHA256>… of a stored checksum (a part's, or an object's composite); "" for none.
std::string ChecksumElement(const std::string& stored) {
  auto parsed = ParseStoredChecksum(stored);
  if (!parsed) return "";
  std::string x = Element(ChecksumElementName(parsed->algorithm), parsed->base64);
  if (IsCompositeChecksum(parsed->base64)) x += Element("ChecksumType", "COMPOSITE");
  return x;
}

// The Checksum<ALG> elements of one <Part> of a CompleteMultipartUpload request.
std::vector<std::pair<ChecksumAlgorithm, std::string>> ListedChecksums(pugi::xml_node part) {
  std::vector<std::pair<ChecksumAlgorithm, std::string>> out;
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c,
                              ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    pugi::xml_node n = part.child(ChecksumElementName(a).c_str());
    if (n) out.emplace_back(a, n.text().as_string());
  }
  return out;
}

}  // namespace

http::Response S3Api::Multipart(Call& c) {
  const std::string& m = c.request.method;
  auto fail = [&](const Status& s) { return Error(s, c.request, c.resource); };
  if (m == "POST" && c.Has("uploads")) {
    if (Status s = CheckAclHeaders(c.request, c.principal.tenant_id); !s.ok()) return fail(s);
    UploadBody body;
    PutObjectInput in;
    PrepareUpload(c, body, in);
    auto algorithm = ParseMultipartAlgorithm(c.request);
    if (!algorithm.ok()) return fail(algorithm.status());
    in.checksum_algorithm = *algorithm;
    auto u = d_.objects->CreateMultipartUpload(c.principal, in);
    if (!u.ok()) return fail(u.status());
    http::Response out = Xml(200, "<InitiateMultipartUploadResult" + Ns() + ">" +
                                      Element("Bucket", c.bucket) + Element("Key", c.key) +
                                      Element("UploadId", u->id) + AlgorithmElement(*u) +
                                      "</InitiateMultipartUploadResult>");
    // The SDKs read the algorithm from this header (S3 sends both).
    if (*algorithm) {
      out.headers.emplace_back("x-amz-checksum-algorithm", u->checksum_algorithm);
      out.headers.emplace_back("x-amz-checksum-type", "COMPOSITE");
    }
    return out;
  }
  const std::string upload_id = c.Q("uploadId");
  if (m == "PUT") {
    auto number = ParseInt(c.Q("partNumber"));
    if (!number) return fail(CheckPartNumber(0));  // not an integer: out of range
    std::string source = c.H("x-amz-copy-source");
    if (!source.empty()) {
      auto src = ParseCopySource(source);
      if (!src) return fail(BadCopySource());
      auto part = d_.objects->UploadPartCopy(c.principal, c.bucket, c.key, upload_id, *number,
                                             src->first, src->second,
                                             c.H("x-amz-copy-source-range"));
      if (!part.ok()) return fail(part.status());
      return Xml(200, "<CopyPartResult" + Ns() + ">" +
                          Element("LastModified", IsoTime(part->created_at)) +
                          Element("ETag", Quoted(part->etag)) + "</CopyPartResult>");
    }
    UploadBody body;
    PutObjectInput in;
    PrepareUpload(c, body, in);
    auto part = d_.objects->UploadPartData(c.principal, upload_id, *number, in);
    if (!part.ok()) return fail(part.status());
    http::Response out;
    out.headers.emplace_back("ETag", Quoted(part->etag));
    AddChecksumHeader(out, in);
    return out;
  }
  if (m == "POST") {
    pugi::xml_document doc;
    if (!doc.load_string(c.request.body.c_str()) || !doc.child("CompleteMultipartUpload")) {
      return fail(BadRequest("MalformedXML", "The XML you provided was not well-formed or did "
                                             "not validate against our published schema."));
    }
    std::vector<CompletedPart> parts;
    for (auto node : doc.child("CompleteMultipartUpload").children("Part")) {
      auto n = ParseInt(node.child("PartNumber").text().as_string());
      if (!n) return fail(BadRequest("MalformedXML", "A part has no valid PartNumber."));
      parts.push_back({*n, node.child("ETag").text().as_string(), ListedChecksums(node)});
    }
    auto o = d_.objects->CompleteMultipartUpload(c.principal, c.bucket, c.key, upload_id, parts);
    if (!o.ok()) return fail(o.status());
    return Xml(200, "<CompleteMultipartUploadResult" + Ns() + ">" +
                        Element("Location", c.resource) + Element("Bucket", c.bucket) +
                        Element("Key", c.key) + Element("ETag", Quoted(o->etag)) +
                        ChecksumElement(o->checksum) + "</CompleteMultipartUploadResult>");
  }
  if (m == "DELETE") {
    Status s = d_.objects->AbortMultipartUpload(c.principal, c.bucket, c.key, upload_id);
    if (!s.ok()) return fail(s);
    http::Response out;
    out.status = 204;
    return out;
  }
  if (m == "GET") {
    int after = ParseInt(c.Q("part-number-marker")).value_or(0);
    int max_parts = c.Has("max-parts") ? ParseInt(c.Q("max-parts")).value_or(-1) : 1000;
    if (max_parts < 0) {
      return fail(BadRequest("InvalidArgument", "max-parts must be a non-negative integer."));
    }
    auto r = d_.objects->ListParts(c.principal, c.bucket, c.key, upload_id, after, max_parts);
    if (!r.ok()) return fail(r.status());
    std::string x = "<ListPartsResult" + Ns() + ">" + Element("Bucket", c.bucket) +
                    Element("Key", c.key) + Element("UploadId", upload_id) +
                    Element("PartNumberMarker", std::to_string(after)) +
                    Element("NextPartNumberMarker", std::to_string(r->next_marker)) +
                    Element("MaxParts", std::to_string(max_parts)) +
                    Element("IsTruncated", r->truncated ? "true" : "false") +
                    Element("StorageClass", "STANDARD") + AlgorithmElement(r->upload);
    for (const UploadPart& p : r->parts) {
      x += "<Part>" + Element("PartNumber", std::to_string(p.part_number)) +
           Element("LastModified", IsoTime(p.created_at)) + Element("ETag", Quoted(p.etag)) +
           Element("Size", std::to_string(p.size)) + ChecksumElement(p.checksum) + "</Part>";
    }
    return Xml(200, x + "</ListPartsResult>");
  }
  return fail(Status(405, "MethodNotAllowed",
                     "The specified method is not allowed against this resource."));
}

http::Response S3Api::ListUploads(Call& c) {
  int max_uploads = c.Has("max-uploads") ? ParseInt(c.Q("max-uploads")).value_or(-1) : 1000;
  if (max_uploads < 0) {
    return Error(BadRequest("InvalidArgument", "max-uploads must be a non-negative integer."),
                 c.request, c.resource);
  }
  auto uploads = d_.objects->ListMultipartUploads(c.principal, c.bucket, c.Q("prefix"),
                                                  max_uploads);
  if (!uploads.ok()) return Error(uploads.status(), c.request, c.resource);
  std::string x = "<ListMultipartUploadsResult" + Ns() + ">" + Element("Bucket", c.bucket) +
                  Element("KeyMarker", "") + Element("UploadIdMarker", "") +
                  Element("Prefix", c.Q("prefix")) +
                  Element("MaxUploads", std::to_string(max_uploads)) +
                  Element("IsTruncated", "false");
  for (const MultipartUpload& u : *uploads) {
    x += "<Upload>" + Element("Key", u.key) + Element("UploadId", u.id) +
         Element("StorageClass", "STANDARD") + Element("Initiated", IsoTime(u.created_at)) +
         AlgorithmElement(u) + "</Upload>";
  }
  return Xml(200, x + "</ListMultipartUploadsResult>");
}

}  // namespace strato::api::s3

#pragma once
// S3Api: the S3 REST front end (docs/s3.md). Path-style (/bucket/key) and virtual-hosted
// (bucket.<s3 domain>/key) addressing; SigV4 in the Authorization header, presigned query
// strings, and aws-chunked streaming bodies. Every operation parses, calls ObjectCommands
// and renders S3's XML; object bytes stream in both directions in constant memory.
// Thread-safety: Handle() is called concurrently from HTTP worker threads.

#include <optional>
#include <string>

#include "commands/identity_commands.h"
#include "commands/object_commands.h"
#include "http/http_types.h"

namespace strato::api::s3 {

struct S3ApiDeps {
  IdentityCommands* identity = nullptr;
  ObjectCommands* objects = nullptr;
  std::string region = "strato-1";
  // Virtual-hosted requests name the bucket as the first label of Host:
  // "<bucket>.<domain>[:port]".
  std::string domain = "s3.localhost";
};

class S3Api {
 public:
  explicit S3Api(S3ApiDeps deps);

  // True for requests meant for S3: signed for service "s3" (header or presigned), or
  // addressed to a bucket by Host. Decided from the header alone.
  bool Claims(const http::Request& request) const;
  // Object uploads stream (see http::ServerOptions::stream_body).
  bool StreamsBody(const http::Request& request) const;
  http::Response Handle(http::Request& request);

 private:
  struct Call;  // one request being served (s3_api.cc)
  // The bucket named by a virtual-hosted Host header, if any.
  std::optional<std::string> HostedBucket(const http::Request& request) const;
  http::Response Dispatch(Call& call);
  // s3_subresources.cc: the answer to ?acl, ?tagging, ?policy, … (none for other requests).
  std::optional<http::Response> Subresource(Call& call);
  http::Response ListBuckets(Call& call);
  http::Response CreateBucket(Call& call);
  http::Response ListObjects(Call& call, bool v2);
  http::Response DeleteObjects(Call& call);
  struct UploadBody;
  void PrepareUpload(Call& call, UploadBody& body, PutObjectInput& in);
  void AddChecksumCheck(const http::Request& request, UploadBody& body, PutObjectInput& in);
  http::Response PutObject(Call& call);
  // s3_multipart.cc
  http::Response Multipart(Call& call);
  http::Response ListUploads(Call& call);
  http::Response CopyObject(Call& call, const std::string& source);
  http::Response GetObject(Call& call, bool head);
  std::optional<http::Response> Unmet(Call& call, const ObjectRecord& object);
  static void ApplyResponseOverrides(Call& call, http::Response& out);

  S3ApiDeps d_;
};

}  // namespace strato::api::s3

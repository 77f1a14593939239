#pragma once
// The metadata service's request rules, apart from any socket: IMDSv1 and IMDSv2
// (tokens), the per-instance options, and the answer with the IP TTL it must leave with.
// The caller has already identified the instance from where the packet came from.
// Pure function of its arguments; thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "metadata/instance_metadata.h"
#include "metadata/metadata_token.h"

namespace strato {

struct MetadataRequest {
  std::string method;  // "GET" | "PUT" | …
  std::string path;    // without the query
  std::optional<std::string> token;       // X-aws-ec2-metadata-token
  std::optional<std::string> token_ttl;   // X-aws-ec2-metadata-token-ttl-seconds
  bool forwarded = false;                 // carried X-Forwarded-For
};

struct MetadataResponse {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
  std::optional<std::string> token_ttl;  // echoed on a token answer
  int ip_ttl = 1;                        // the instance's hop limit
};

// `m` is the calling instance, or nullptr when no instance of this segment has the
// caller's address (404). now_s: seconds since the epoch.
//  - http_endpoint disabled: 403.
//  - PUT /latest/api/token: 403 with X-Forwarded-For, 400 without a TTL in 1-21600,
//    else 200 and a token bound to the instance.
//  - other requests: a token that is not valid for this instance → 401; no token while
//    http_tokens is required → 401; then GET/HEAD answer from the tree (404 if absent);
//    other methods 405.
MetadataResponse HandleMetadataRequest(const InstanceMetadata* m, const MetadataRequest& r,
                                       const MetadataTokenSigner& signer, int64_t now_s);

}  // namespace strato

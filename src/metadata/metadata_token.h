#pragma once
// IMDSv2 session tokens: opaque strings bound to one instance and an expiry, signed with
// HMAC-SHA256 under a key that never leaves the host agent. Nothing is stored per token,
// so issuing and checking cost a hash and no memory, however many guests ask.
// A new signer (agent restart) invalidates earlier tokens; clients simply ask again.
// Thread-safety: const methods may be called concurrently.

#include <cstdint>
#include <string>

namespace strato {

class MetadataTokenSigner {
 public:
  // A signer with a fresh random key.
  MetadataTokenSigner();
  // A signer with a given key (tests).
  explicit MetadataTokenSigner(std::string key) : key_(std::move(key)) {}

  // A token for `instance_id` valid until now_s + ttl_s (seconds since the epoch).
  std::string Issue(const std::string& instance_id, int64_t now_s, int64_t ttl_s) const;
  // True only for an untampered token of this signer, for this instance, not expired.
  bool Verify(const std::string& token, const std::string& instance_id, int64_t now_s) const;

 private:
  std::string Sign(const std::string& payload) const;
  const std::string key_;
};

// X-aws-ec2-metadata-token-ttl-seconds: 1 to 21600.
constexpr int64_t kMinTokenTtlSeconds = 1;
constexpr int64_t kMaxTokenTtlSeconds = 21600;

}  // namespace strato

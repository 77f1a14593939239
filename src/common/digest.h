#pragma once
// SHA-256, MD5 and HMAC-SHA256 over OpenSSL's EVP interface.
//
// One-shot functions for small inputs (SigV4 strings, keys) and a streaming Hasher for
// bodies that never sit in memory whole (S3 uploads: x-amz-content-sha256 and MD5 ETags).
// Thread-safety: the free functions are pure; a Hasher is single-owner (not shared).
// OpenSSL failures here can only mean memory exhaustion, so they abort instead of
// returning a Status nobody could act on.

#include <memory>
#include <string>
#include <string_view>

namespace strato {

std::string Sha256(std::string_view data);     // 32 raw bytes
std::string Sha256Hex(std::string_view data);  // 64 lowercase hex digits
std::string Md5Hex(std::string_view data);     // 32 lowercase hex digits
// HMAC-SHA256 of data under key: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// Incremental digest: Update() any number of times, then Finish() exactly once.
class Hasher {
 public:
  static Hasher Sha256();
  static Hasher Md5();

  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void Update(std::string_view data);
  std::string Finish();     // raw digest; the Hasher is spent afterwards
  std::string FinishHex();  // lowercase hex digest

 private:
  struct Impl;
  explicit Hasher(std::unique_ptr<Impl> impl);
  static Hasher Make(const void* evp_md);  // const EVP_MD*, kept out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace strato

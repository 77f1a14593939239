#pragma once
// DigestCheckedBody: a streamed request body whose SHA-256 is checked against the
// x-amz-content-sha256 the client signed. A body cannot be hashed before the handler reads
// it, so the check happens at its end: instead of the end-of-body 0, Read returns
// SignatureDoesNotMatch (403) when the digest differs. Handlers therefore never commit a
// body that fails the check, provided they read to the end before committing.
// Thread-safety: like http::BodyStream, one reader.

#include <functional>
#include <optional>
#include <string>

#include "common/checksum.h"
#include "common/digest.h"
#include "http/http_types.h"

namespace strato::api {

class DigestCheckedBody final : public http::BodyStream {
 public:
  // `expected_hex` empty = UNSIGNED-PAYLOAD: bytes pass unchecked.
  DigestCheckedBody(http::BodyStream& inner, std::string expected_hex);

  Result<size_t> Read(char* out, size_t max) override;
  std::optional<uint64_t> content_length() const override { return inner_.content_length(); }

 private:
  http::BodyStream& inner_;
  const std::string expected_hex_;
  std::optional<Hasher> hasher_;
  bool ended_ = false;
};

// ChecksumCheckedBody: the same end-of-body check for an S3 additional checksum
// (x-amz-checksum-crc32 / crc32c / sha1 / sha256). The expected value comes from a header,
// or from an aws-chunked trailer that is only known once the inner body has ended, hence
// `expected` is asked for at the end. Instead of the end-of-body 0, Read returns BadDigest
// (400) on a mismatch and InvalidRequest (400) when the value is missing or malformed; on
// success the verified value is written to `*verified` (base64) before the 0 is returned.
class ChecksumCheckedBody final : public http::BodyStream {
 public:
  using ExpectedFn = std::function<std::optional<std::string>()>;
  ChecksumCheckedBody(http::BodyStream& inner, ChecksumAlgorithm algorithm, ExpectedFn expected,
                      std::string* verified);

  Result<size_t> Read(char* out, size_t max) override;
  std::optional<uint64_t> content_length() const override { return inner_.content_length(); }

 private:
  Status Check();
  http::BodyStream& inner_;
  const ChecksumAlgorithm algorithm_;
  const ExpectedFn expected_;
  std::string* const verified_;
  ChecksumHasher hasher_;
  bool ended_ = false;
};

}  // namespace strato::api

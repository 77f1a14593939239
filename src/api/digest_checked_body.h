#pragma once
// DigestCheckedBody: a streamed request body whose SHA-256 is checked against the
// x-amz-content-sha256 the client signed. A body cannot be hashed before the handler reads
// it, so the check happens at its end: instead of the end-of-body 0, Read returns
// SignatureDoesNotMatch (403) when the digest differs. Handlers therefore never commit a
// body that fails the check, provided they read to the end before committing.
// Thread-safety: like http::BodyStream, one reader.

#include <optional>
#include <string>

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

}  // namespace strato::api

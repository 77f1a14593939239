#include "api/digest_checked_body.h"

#include "common/base64.h"

namespace strato::api {

DigestCheckedBody::DigestCheckedBody(http::BodyStream& inner, std::string expected_hex)
    : inner_(inner), expected_hex_(std::move(expected_hex)) {
  if (!expected_hex_.empty()) hasher_.emplace(Hasher::Sha256());
}

Result<size_t> DigestCheckedBody::Read(char* out, size_t max) {
  if (ended_) return size_t{0};
  auto n = inner_.Read(out, max);
  if (!n.ok() || !hasher_) return n;
  if (*n > 0) {
    hasher_->Update(std::string_view(out, *n));
    return n;
  }
  ended_ = true;
  if (hasher_->FinishHex() != expected_hex_) {
    return Forbidden("SignatureDoesNotMatch",
                     "The x-amz-content-sha256 header does not match the body.");
  }
  return size_t{0};
}

ChecksumCheckedBody::ChecksumCheckedBody(http::BodyStream& inner, ChecksumAlgorithm algorithm,
                                         ExpectedFn expected, std::string* verified)
    : inner_(inner),
      algorithm_(algorithm),
      expected_(std::move(expected)),
      verified_(verified),
      hasher_(algorithm) {}

Result<size_t> ChecksumCheckedBody::Read(char* out, size_t max) {
  if (ended_) return size_t{0};
  auto n = inner_.Read(out, max);
  if (!n.ok()) return n;
  if (*n > 0) {
    hasher_.Update(std::string_view(out, *n));
    return n;
  }
  ended_ = true;
  STRATO_RETURN_IF_ERROR(Check());
  return size_t{0};
}

Status ChecksumCheckedBody::Check() {
  const std::string header = ChecksumHeader(algorithm_);
  std::optional<std::string> expected = expected_();
  if (!expected) {
    return BadRequest("InvalidRequest", "The upload declared " + header + " but sent no value.");
  }
  auto raw = Base64Decode(*expected);
  if (!raw || raw->size() != ChecksumSize(algorithm_)) {
    return BadRequest("InvalidRequest", "Value for " + header + " header is invalid.");
  }
  std::string actual = hasher_.FinishBase64();
  if (*raw != *Base64Decode(actual)) {
    return BadRequest("BadDigest", std::string("The ") + ToString(algorithm_) +
                                       " you specified did not match the calculated checksum.");
  }
  if (verified_) *verified_ = actual;
  return OkStatus();
}

}  // namespace strato::api

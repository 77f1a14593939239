#include "api/digest_checked_body.h"

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

}  // namespace strato::api

#include "api/s3/upload_checksum.h"

namespace strato::api::s3 {
namespace {

constexpr ChecksumAlgorithm kAll[] = {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c,
                                      ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256};

Status Invalid(std::string message) { return BadRequest("InvalidRequest", std::move(message)); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<UploadChecksum> ParseUploadChecksum(const http::Request& r) {
  UploadChecksum out;
  for (ChecksumAlgorithm a : kAll) {
    const std::string* v = r.Header(ChecksumHeader(a));
    if (!v) continue;
    if (out.algorithm) {
      return Invalid(
          "Expecting a single x-amz-checksum- header. Multiple checksum Types are "
          "not allowed.");
    }
    out.algorithm = a;
    out.header_value = *v;
  }
  if (const std::string* trailer = r.Header("x-amz-trailer")) {
    std::optional<ChecksumAlgorithm> named;
    for (ChecksumAlgorithm a : kAll) {
      if (Lower(*trailer) == ChecksumHeader(a)) named = a;
    }
    if (!named) {
      return Invalid("The value specified in the x-amz-trailer header is not supported: '" +
                     *trailer + "'.");
    }
    if (out.algorithm && *out.algorithm != *named) {
      return Invalid(
          "Expecting a single x-amz-checksum- header. Multiple checksum Types are "
          "not allowed.");
    }
    out.algorithm = named;
  }
  if (const std::string* sdk = r.Header("x-amz-sdk-checksum-algorithm")) {
    auto a = ParseChecksumAlgorithm(*sdk);
    if (!a) return Invalid("Checksum algorithm '" + *sdk + "' is not supported.");
    // The SDK names the algorithm; the value must come as a header or trailer of that kind.
    if (out.algorithm && *out.algorithm != *a) {
      return Invalid("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> ChecksumResponseHeader(
    const std::string& stored) {
  auto parsed = ParseStoredChecksum(stored);
  if (!parsed) return std::nullopt;
  return std::make_pair(ChecksumHeader(parsed->algorithm), parsed->base64);
}

}  // namespace strato::api::s3

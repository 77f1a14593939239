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

Result<std::optional<ChecksumAlgorithm>> ParseMultipartAlgorithm(const http::Request& r) {
  if (const std::string* type = r.Header("x-amz-checksum-type"); type && *type != "COMPOSITE") {
    return Invalid("Checksum type '" + *type + "' is not supported; parts' checksums are "
                   "combined as COMPOSITE.");
  }
  const std::string* name = r.Header("x-amz-checksum-algorithm");
  if (!name) return std::optional<ChecksumAlgorithm>();
  auto a = ParseChecksumAlgorithm(*name);
  if (!a) {
    return Invalid("Checksum algorithm '" + *name +
                   "' is not supported; use CRC32, CRC32C, SHA1 or SHA256.");
  }
  return std::optional<ChecksumAlgorithm>(*a);
}

std::vector<std::pair<std::string, std::string>> ChecksumResponseHeaders(
    const std::string& stored) {
  std::vector<std::pair<std::string, std::string>> out;
  auto parsed = ParseStoredChecksum(stored);
  if (!parsed) return out;
  out.emplace_back(ChecksumHeader(parsed->algorithm), parsed->base64);
  if (IsCompositeChecksum(parsed->base64)) out.emplace_back("x-amz-checksum-type", "COMPOSITE");
  return out;
}

std::string ChecksumElementName(ChecksumAlgorithm a) {
  return std::string("Checksum") + ToString(a);
}

}  // namespace strato::api::s3

#pragma once
// The S3 additional checksums (x-amz-checksum-crc32 / -crc32c / -sha1 / -sha256), computed
// incrementally over streamed bodies. Values are base64 of the digest, CRCs big-endian, as
// S3 sends them. CRC32 is zlib's; CRC32C (Castagnoli) is a table-driven implementation
// here, since zlib has none.
// Thread-safety: a ChecksumHasher is single-owner; the free functions are pure.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strato {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kSha1, kSha256 };

// "CRC32", "CRC32C", "SHA1", "SHA256" (as in x-amz-sdk-checksum-algorithm).
const char* ToString(ChecksumAlgorithm a);
// From "crc32" / "CRC32" …; nullopt for anything else.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// The header carrying the value: "x-amz-checksum-crc32" ….
std::string ChecksumHeader(ChecksumAlgorithm a);
// Raw digest length: 4 for the CRCs, 20 for SHA-1, 32 for SHA-256.
size_t ChecksumSize(ChecksumAlgorithm a);

uint32_t Crc32c(uint32_t crc, std::string_view data);

class ChecksumHasher {
 public:
  explicit ChecksumHasher(ChecksumAlgorithm a);
  ChecksumHasher(ChecksumHasher&&) noexcept;
  ChecksumHasher& operator=(ChecksumHasher&&) noexcept;
  ~ChecksumHasher();

  void Update(std::string_view data);
  // The base64 value; call once.
  std::string FinishBase64();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A verified checksum as an object record keeps it: "CRC32:<base64>"; "" for none.
std::string StoredChecksum(ChecksumAlgorithm a, std::string_view base64);
struct ParsedChecksum {
  ChecksumAlgorithm algorithm;
  std::string base64;
};
std::optional<ParsedChecksum> ParseStoredChecksum(std::string_view stored);

// One-shot, for tests and small inputs.
std::string ChecksumBase64(ChecksumAlgorithm a, std::string_view data);

// The checksum of a multipart object as S3 composes it from its parts' checksums:
// base64(HASH(raw part digest 1 || raw part digest 2 || …)) + "-" + <number of parts>.
// nullopt when `parts` is empty or a value is not the base64 of a digest of `a`'s size.
std::optional<std::string> CompositeChecksumBase64(ChecksumAlgorithm a,
                                                   const std::vector<std::string>& parts);
// True for a value CompositeChecksumBase64 made (it ends in "-<n>").
bool IsCompositeChecksum(std::string_view base64);

}  // namespace strato

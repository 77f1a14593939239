#include "common/checksum.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "common/base64.h"
#include "common/digest.h"

namespace strato {
namespace {

// Reflected CRC-32C polynomial (Castagnoli).
constexpr uint32_t kCastagnoli = 0x82F63B78;

constexpr std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCastagnoli : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr std::array<uint32_t, 256> kCrc32cTable = MakeCrc32cTable();

std::string BigEndian(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

const char* ToString(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "CRC32C";
    case ChecksumAlgorithm::kSha1:
      return "SHA1";
    case ChecksumAlgorithm::kSha256:
      return "SHA256";
  }
  return "";
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (auto a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                 ChecksumAlgorithm::kSha256}) {
    if (upper == ToString(a)) return a;
  }
  return std::nullopt;
}

std::string ChecksumHeader(ChecksumAlgorithm a) {
  std::string name = ToString(a);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "x-amz-checksum-" + name;
}

size_t ChecksumSize(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      return 4;
    case ChecksumAlgorithm::kSha1:
      return 20;
    case ChecksumAlgorithm::kSha256:
      return 32;
  }
  return 0;
}

namespace {

uint32_t Crc32cTable(uint32_t crc, std::string_view data) {
  for (unsigned char b : data) crc = kCrc32cTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// SSE4.2 has a CRC32C instruction: some ten times the table's speed, which matters on the
// upload path (MD5 for the ETag is paid too). Chosen at run time.
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(uint32_t crc, std::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
  }
  crc = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) crc = __builtin_ia32_crc32qi(crc, static_cast<unsigned char>(*p));
  return crc;
}

const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t Crc32c(uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (kHaveSse42) return ~Crc32cSse42(~crc, data);
#endif
  return ~Crc32cTable(~crc, data);
}

struct ChecksumHasher::Impl {
  ChecksumAlgorithm algorithm;
  uint32_t crc = 0;
  std::optional<Hasher> sha256;
  EVP_MD_CTX* sha1 = nullptr;  // owned; only for kSha1
  ~Impl() { EVP_MD_CTX_free(sha1); }
};

ChecksumHasher::ChecksumHasher(ChecksumAlgorithm a) : impl_(std::make_unique<Impl>()) {
  impl_->algorithm = a;
  if (a == ChecksumAlgorithm::kSha256) impl_->sha256.emplace(Hasher::Sha256());
  if (a == ChecksumAlgorithm::kSha1) {
    impl_->sha1 = EVP_MD_CTX_new();
    // Only memory exhaustion can fail here (see digest.h).
    if (!impl_->sha1 || EVP_DigestInit_ex(impl_->sha1, EVP_sha1(), nullptr) != 1) std::abort();
  }
}

ChecksumHasher::ChecksumHasher(ChecksumHasher&&) noexcept = default;
ChecksumHasher& ChecksumHasher::operator=(ChecksumHasher&&) noexcept = default;
ChecksumHasher::~ChecksumHasher() = default;

void ChecksumHasher::Update(std::string_view data) {
  switch (impl_->algorithm) {
    case ChecksumAlgorithm::kCrc32:
      // zlib takes uInt lengths: feed huge buffers in slices.
      while (!data.empty()) {
        size_t n = std::min<size_t>(data.size(), 1u << 30);
        impl_->crc = static_cast<uint32_t>(
            crc32(impl_->crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n)));
        data.remove_prefix(n);
      }
      break;
    case ChecksumAlgorithm::kCrc32c:
      impl_->crc = Crc32c(impl_->crc, data);
      break;
    case ChecksumAlgorithm::kSha1:
      if (EVP_DigestUpdate(impl_->sha1, data.data(), data.size()) != 1) std::abort();
      break;
    case ChecksumAlgorithm::kSha256:
      impl_->sha256->Update(data);
      break;
  }
}

std::string ChecksumHasher::FinishBase64() {
  switch (impl_->algorithm) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      return Base64Encode(BigEndian(impl_->crc));
    case ChecksumAlgorithm::kSha1: {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int n = 0;
      if (EVP_DigestFinal_ex(impl_->sha1, md, &n) != 1) std::abort();
      return Base64Encode(std::string_view(reinterpret_cast<const char*>(md), n));
    }
    case ChecksumAlgorithm::kSha256:
      return Base64Encode(impl_->sha256->Finish());
  }
  return "";
}

std::string StoredChecksum(ChecksumAlgorithm a, std::string_view base64) {
  return std::string(ToString(a)) + ":" + std::string(base64);
}

std::optional<ParsedChecksum> ParseStoredChecksum(std::string_view stored) {
  auto colon = stored.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto a = ParseChecksumAlgorithm(stored.substr(0, colon));
  if (!a) return std::nullopt;
  return ParsedChecksum{*a, std::string(stored.substr(colon + 1))};
}

std::string ChecksumBase64(ChecksumAlgorithm a, std::string_view data) {
  ChecksumHasher h(a);
  h.Update(data);
  return h.FinishBase64();
}

std::optional<std::string> CompositeChecksumBase64(ChecksumAlgorithm a,
                                                   const std::vector<std::string>& parts) {
  if (parts.empty()) return std::nullopt;
  ChecksumHasher h(a);
  for (const std::string& part : parts) {
    auto raw = Base64Decode(part);
    if (!raw || raw->size() != ChecksumSize(a)) return std::nullopt;
    h.Update(*raw);
  }
  return h.FinishBase64() + "-" + std::to_string(parts.size());
}

bool IsCompositeChecksum(std::string_view base64) {
  // Base64 has no '-', so a dash can only be the part count's separator.
  return base64.find('-') != std::string_view::npos;
}

}  // namespace strato

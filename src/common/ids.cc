#include "common/ids.h"

#include <array>

#include "common/hex.h"
#include "common/random.h"

namespace strato {
namespace {

constexpr std::string_view kAccessKeyPrefix = "AKIA";
constexpr size_t kAccessKeyRandomChars = 16;
constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kSecretKeyChars = 40;

bool IsBase32Char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }

}  // namespace

std::string NewResourceId(std::string_view prefix) {
  // 9 bytes give 18 hex digits; each digit is 4 independent bits, so dropping one keeps
  // the rest uniform.
  std::array<unsigned char, 9> bytes;
  RandomBytes(bytes.data(), bytes.size());
  std::string hex =
      HexEncode(std::string_view(reinterpret_cast<char*>(bytes.data()), bytes.size()));
  std::string id;
  id.reserve(prefix.size() + 1 + kResourceIdHexDigits);
  id.append(prefix);
  id.push_back('-');
  id.append(hex, 0, kResourceIdHexDigits);
  return id;
}

bool IsResourceId(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 1 + kResourceIdHexDigits) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '-') return false;
  return IsLowerHex(id.substr(prefix.size() + 1));
}

std::string NewAccessKeyId() {
  return std::string(kAccessKeyPrefix) + RandomString(kAccessKeyRandomChars, kBase32Alphabet);
}

bool IsAccessKeyId(std::string_view id) {
  if (id.size() != kAccessKeyPrefix.size() + kAccessKeyRandomChars) return false;
  if (id.substr(0, kAccessKeyPrefix.size()) != kAccessKeyPrefix) return false;
  for (char c : id.substr(kAccessKeyPrefix.size())) {
    if (!IsBase32Char(c)) return false;
  }
  return true;
}

std::string NewSecretAccessKey() { return RandomString(kSecretKeyChars, kSecretAlphabet); }

std::string NewRequestId() {
  std::array<unsigned char, 16> b;
  RandomBytes(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(std::string_view(reinterpret_cast<char*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace strato

#include "commands/page_token.h"

namespace strato {
namespace {
constexpr std::string_view kMagic = "v1.";
}

// Hex keeps the token URL-safe without escaping.
std::string EncodePageToken(std::string_view last_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kMagic);
  for (unsigned char c : last_id) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::string> DecodePageToken(std::string_view token, std::string_view prefix) {
  auto bad = [] { return InvalidParameter("'next_token' is not a token this API issued."); };
  if (token.substr(0, kMagic.size()) != kMagic) return bad();
  token.remove_prefix(kMagic.size());
  if (token.size() % 2 || token.size() > 256) return bad();
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string id;
  for (size_t i = 0; i < token.size(); i += 2) {
    int hi = nibble(token[i]), lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    id += static_cast<char>(hi * 16 + lo);
  }
  if (!prefix.empty() && id.substr(0, prefix.size() + 1) != std::string(prefix) + "-") return bad();
  return id;
}

}  // namespace strato

#include "metadata/metadata_token.h"

#include <openssl/crypto.h>

#include <charconv>

#include "common/base64.h"
#include "common/digest.h"
#include "common/hex.h"
#include "common/random.h"

namespace strato {
namespace {

std::string RandomKey() {
  std::string key(32, '\0');
  RandomBytes(key.data(), key.size());
  return key;
}

}  // namespace

MetadataTokenSigner::MetadataTokenSigner() : key_(RandomKey()) {}

std::string MetadataTokenSigner::Sign(const std::string& payload) const {
  return HexEncode(HmacSha256(key_, payload));
}

std::string MetadataTokenSigner::Issue(const std::string& instance_id, int64_t now_s,
                                       int64_t ttl_s) const {
  std::string payload = instance_id + ":" + std::to_string(now_s + ttl_s);
  return Base64Encode(payload + ":" + Sign(payload));
}

bool MetadataTokenSigner::Verify(const std::string& token, const std::string& instance_id,
                                 int64_t now_s) const {
  if (token.size() > 256) return false;
  auto raw = Base64Decode(token);
  if (!raw) return false;
  size_t sig_at = raw->rfind(':');
  if (sig_at == std::string::npos) return false;
  std::string payload = raw->substr(0, sig_at);
  std::string sig = raw->substr(sig_at + 1);
  std::string want = Sign(payload);
  if (sig.size() != want.size() || CRYPTO_memcmp(sig.data(), want.data(), sig.size()) != 0)
    return false;
  size_t exp_at = payload.rfind(':');
  if (exp_at == std::string::npos || payload.substr(0, exp_at) != instance_id) return false;
  int64_t expires = 0;
  const char* first = payload.data() + exp_at + 1;
  const char* last = payload.data() + payload.size();
  auto [end, ec] = std::from_chars(first, last, expires);
  if (ec != std::errc() || end != last) return false;
  return now_s < expires;
}

}  // namespace strato

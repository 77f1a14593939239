#include "common/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "common/hex.h"

namespace strato {
namespace {

// Only allocation failure makes these calls fail; there is no sane way to continue.
[[noreturn]] void DieOpenSsl() { std::abort(); }

std::string OneShot(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) DieOpenSsl();
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string Sha256(std::string_view data) { return OneShot(EVP_sha256(), data); }
std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }
std::string Md5Hex(std::string_view data) { return HexEncode(OneShot(EVP_md5(), data)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &len) == nullptr) {
    DieOpenSsl();
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

struct Hasher::Impl {
  struct CtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx;
};

Hasher::Hasher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

Hasher Hasher::Make(const void* md) {
  auto impl = std::make_unique<Impl>();
  impl->ctx.reset(EVP_MD_CTX_new());
  if (!impl->ctx ||
      EVP_DigestInit_ex(impl->ctx.get(), static_cast<const EVP_MD*>(md), nullptr) != 1) {
    DieOpenSsl();
  }
  return Hasher(std::move(impl));
}

Hasher Hasher::Sha256() { return Make(EVP_sha256()); }
Hasher Hasher::Md5() { return Make(EVP_md5()); }

void Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    DieOpenSsl();
  }
}

std::string Hasher::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), out, &len) != 1) DieOpenSsl();
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Hasher::FinishHex() { return HexEncode(Finish()); }

}  // namespace strato

#include "commands/ssh_key_generator.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <memory>

namespace strato {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// SSH wire encoding (RFC 4251): uint32 big-endian, string = length + bytes.
void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
// mpint: big-endian magnitude with a leading zero byte when the top bit is set.
void PutMpint(std::string& out, const BIGNUM* bn) {
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  if (!bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 0x80)) bytes.insert(0, 1, '\0');
  PutString(out, bytes);
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<GeneratedSshKey> Rsa(std::string_view comment) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), EVP_PKEY_free);
  if (!key) return Internal("RSA key generation failed.");
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (!EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) ||
      !EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e)) {
    BN_free(n);
    return Internal("RSA key parameters unavailable.");
  }
  std::string blob;
  PutString(blob, "ssh-rsa");
  PutMpint(blob, e);
  PutMpint(blob, n);
  BN_free(n);
  BN_free(e);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || !PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0,
                                                    nullptr, nullptr)) {
    return Internal("RSA private key encoding failed.");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return GeneratedSshKey{"ssh-rsa " + Base64(blob) + " " + std::string(comment),
                         std::string(data, static_cast<size_t>(len))};
}

Result<GeneratedSshKey> Ed25519(std::string_view comment) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  if (!key) return Internal("Ed25519 key generation failed.");
  std::string pub(32, '\0'), priv(32, '\0');
  size_t pub_len = pub.size(), priv_len = priv.size();
  if (!EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()),
                                   &pub_len) ||
      !EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(priv.data()),
                                    &priv_len) ||
      pub_len != 32 || priv_len != 32) {
    return Internal("Ed25519 key material unavailable.");
  }
  std::string pub_blob;
  PutString(pub_blob, "ssh-ed25519");
  PutString(pub_blob, pub);
  // The OpenSSH private key format (PROTOCOL.key), unencrypted.
  uint32_t check = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof check);
  std::string section;
  PutU32(section, check);
  PutU32(section, check);
  PutString(section, "ssh-ed25519");
  PutString(section, pub);
  PutString(section, priv + pub);
  PutString(section, comment);
  for (char pad = 1; section.size() % 8; ++pad) section += pad;
  std::string body("openssh-key-v1", 15);  // with its terminating NUL
  PutString(body, "none");
  PutString(body, "none");
  PutString(body, "");
  PutU32(body, 1);
  PutString(body, pub_blob);
  PutString(body, section);
  OPENSSL_cleanse(priv.data(), priv.size());
  std::string b64 = Base64(body);
  std::string pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 70) pem += b64.substr(i, 70) + "\n";
  pem += "-----END OPENSSH PRIVATE KEY-----\n";
  return GeneratedSshKey{"ssh-ed25519 " + Base64(pub_blob) + " " + std::string(comment), pem};
}

}  // namespace

Result<GeneratedSshKey> GenerateSshKey(std::string_view key_type, std::string_view comment) {
  if (key_type == "rsa") return Rsa(comment);
  if (key_type == "ed25519") return Ed25519(comment);
  return InvalidParameter("'key_type' must be 'rsa' or 'ed25519', not '" +
                          std::string(key_type) + "'.");
}

}  // namespace strato

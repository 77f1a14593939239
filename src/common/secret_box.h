#pragma once
// SecretBox: authenticated encryption of secrets at rest (secret access keys, tokens).
//
// Seal() produces nonce || crypto_secretbox_easy(plaintext) (XSalsa20-Poly1305, a fresh
// random 24-byte nonce each time, 16-byte tag), so sealing the same text twice gives
// different bytes. Open() rejects anything altered or sealed under another key.
// The 32-byte key lives in one file created with mode 0600; the key bytes are wiped from
// memory when a SecretBox is destroyed.
// Thread-safety: immutable after construction; Seal/Open may run concurrently.
// Errors: 500 "InternalError" for an unreadable/malformed key file and for sealed data that
// fails authentication (storage corruption or the wrong key — never a client's fault).

#include <array>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 24;
  static constexpr size_t kTagBytes = 16;
  using Key = std::array<unsigned char, kKeyBytes>;

  // Reads the key at key_path, or creates it (0600, fsynced, published atomically so a
  // crash never leaves a short key file) when it does not exist. A key file of any size
  // other than 32 bytes is an error, never silently replaced.
  static Result<SecretBox> LoadOrCreate(const std::string& key_path);
  static SecretBox FromKey(const Key& key);

  SecretBox(const SecretBox& other) = default;
  SecretBox& operator=(const SecretBox& other) = default;
  ~SecretBox();

  // Binary: kNonceBytes + plaintext.size() + kTagBytes bytes.
  std::string Seal(std::string_view plaintext) const;
  Result<std::string> Open(std::string_view sealed) const;

 private:
  explicit SecretBox(const Key& key);
  Key key_;
};

}  // namespace strato

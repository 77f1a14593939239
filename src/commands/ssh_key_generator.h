#pragma once
// New SSH key pairs for CreateKeyPair. The private key is returned to the caller once and
// never stored: EC2 semantics.
//   "rsa":     2048-bit, private key as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), as EC2 returns it
//   "ed25519": private key in the OpenSSH format ("BEGIN OPENSSH PRIVATE KEY"), unencrypted
// Both forms are what `ssh -i` and `ssh-keygen -y -f` read. The public key is an OpenSSH
// line ("ssh-ed25519 AAAA… name"). Randomness is OpenSSL's CSPRNG.
// Errors: InvalidParameterValue for another key type; InternalError if OpenSSL fails.
// Thread-safety: pure function.

#include <string>
#include <string_view>

#include "common/status.h"

namespace strato {

struct GeneratedSshKey {
  std::string public_openssh;
  std::string private_pem;
};

Result<GeneratedSshKey> GenerateSshKey(std::string_view key_type, std::string_view comment);

}  // namespace strato

#pragma once
// Tags, image records and key pairs: tenant-owned resources with simple lifecycles.
// Tags apply to the caller's own instances and images. Images are visible to their
// tenant, to the tenants they are shared with, and to all when public (launch permissions:
// image_commands.h); only the cloud admin creates a record already public.
// Errors: InvalidParameterValue, InvalidInstanceID.NotFound, InvalidAMIID.NotFound,
// InvalidKeyPair.NotFound / .Duplicate / InvalidKey.Format, UnauthorizedOperation.
// Thread-safety: stateless.

#include <map>
#include <string>
#include <vector>

#include "commands/command_env.h"

namespace strato {

struct NewKeyPair {
  KeyPair key;
  std::string private_key;  // returned once, never stored
};

struct TagEntry {
  std::string resource_id, key, value;
};

class ResourceCommands {
 public:
  explicit ResourceCommands(CommandEnv& env) : env_(env) {}

  Status SetTags(const Principal& p, const std::vector<std::string>& resource_ids,
                 const std::map<std::string, std::string>& tags);
  Status DeleteTags(const Principal& p, const std::vector<std::string>& resource_ids,
                    const std::vector<std::string>& keys);
  Result<std::vector<TagEntry>> ListTags(const Principal& p, const std::string& resource_id);

  Result<Image> CreateImage(const Principal& p, const std::string& name,
                            const std::string& description, bool is_public);
  Result<std::vector<Image>> ListImages(const Principal& p);
  Result<Image> GetImage(const Principal& p, const std::string& id);
  Status DeleteImage(const Principal& p, const std::string& id);

  Result<KeyPair> ImportKeyPair(const Principal& p, const std::string& name,
                                const std::string& public_key);
  // Generates a key pair ("rsa" or "ed25519", see ssh_key_generator.h) and stores its
  // public half.
  Result<NewKeyPair> CreateKeyPair(const Principal& p, const std::string& name,
                                   const std::string& key_type);
  Result<std::vector<KeyPair>> ListKeyPairs(const Principal& p);
  Result<KeyPair> GetKeyPair(const Principal& p, const std::string& name);
  Status DeleteKeyPair(const Principal& p, const std::string& name);

 private:
  CommandEnv& env_;
};

// Validates an OpenSSH public key line ("ssh-ed25519 AAAA… comment") and returns its
// SHA256 fingerprint ("SHA256:…", as ssh-keygen -l prints it).
Result<std::string> OpenSshFingerprint(const std::string& public_key);

}  // namespace strato

#include "commands/resource_commands.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "commands/image_commands.h"
#include "commands/ssh_key_generator.h"
#include "commands/validation.h"
#include "common/ids.h"

namespace strato {
namespace {

// A taggable kind other than images: its id prefix, its NotFound code, and its lookup in the
// tenant's scope.
struct TaggableKind {
  const char* prefix;
  const char* not_found;
  Status (*find)(ReadTxn& t, const Scope& scope, const std::string& id);
};

const TaggableKind kTaggableKinds[] = {
    {"i", "InvalidInstanceID.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) { return t.GetInstance(s, id).status(); }},
    {"vol", "InvalidVolume.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) { return t.GetVolume(s, id).status(); }},
    {"snap", "InvalidSnapshot.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) { return t.GetSnapshot(s, id).status(); }},
    {"vpc", "InvalidVpcID.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) { return t.GetVpc(s, id).status(); }},
    {"subnet", "InvalidSubnetID.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) { return t.GetSubnet(s, id).status(); }},
    {"sg", "InvalidGroup.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) {
       return t.GetSecurityGroup(s, id).status();
     }},
    {"eipalloc", "InvalidAllocationID.NotFound",
     [](ReadTxn& t, const Scope& s, const std::string& id) { return t.GetAddress(s, id).status(); }},
};

// The tenant owns the resource (images: owns, not merely sees a public one).
Status CheckOwned(ReadTxn& t, const Principal& p, const std::string& id) {
  Scope scope = Scope::Tenant(p.tenant_id);
  if (id.rfind("ami-", 0) == 0) {
    STRATO_RETURN_IF_ERROR(ValidateId("resource_ids", id, "ami", "InvalidAMIID.NotFound"));
    STRATO_ASSIGN_OR_RETURN(auto image, t.GetImage(scope, id));
    if (image.tenant_id != p.tenant_id) {
      return NotFound("InvalidAMIID.NotFound", "The image id '" + id + "' does not exist.");
    }
    return OkStatus();
  }
  for (const TaggableKind& kind : kTaggableKinds) {
    if (id.rfind(std::string(kind.prefix) + "-", 0) != 0) continue;
    STRATO_RETURN_IF_ERROR(ValidateId("resource_ids", id, kind.prefix, kind.not_found));
    return kind.find(t, scope, id);
  }
  return InvalidParameter("'resource_ids': '" + id + "' is not a taggable resource id.");
}

Status ValidateResourceIds(const std::vector<std::string>& ids) {
  if (ids.empty() || ids.size() > 1000) {
    return InvalidParameter("'resource_ids' must list 1 to 1000 ids.");
  }
  return OkStatus();
}

}  // namespace

Status ResourceCommands::SetTags(const Principal& p, const std::vector<std::string>& ids,
                                 const std::map<std::string, std::string>& tags) {
  STRATO_RETURN_IF_ERROR(ValidateResourceIds(ids));
  if (tags.empty()) return MissingParameter("'tags' must hold at least one tag.");
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", tags));
  return env_.store->Write([&](WriteTxn& t) {
    for (const auto& id : ids) {
      STRATO_RETURN_IF_ERROR(CheckOwned(t, p, id));
      STRATO_ASSIGN_OR_RETURN(auto existing, t.GetTags(Scope::Tenant(p.tenant_id), id));
      for (const auto& [k, v] : tags) existing[k] = v;
      if (existing.size() > 50) {
        return BadRequest("TagLimitExceeded", "'" + id + "' would have more than 50 tags.");
      }
      for (const auto& [k, v] : tags) STRATO_RETURN_IF_ERROR(t.SetTag(p.tenant_id, id, k, v));
    }
    return OkStatus();
  });
}

Status ResourceCommands::DeleteTags(const Principal& p, const std::vector<std::string>& ids,
                                    const std::vector<std::string>& keys) {
  STRATO_RETURN_IF_ERROR(ValidateResourceIds(ids));
  if (keys.empty()) return MissingParameter("'keys' must name at least one tag key.");
  for (const auto& k : keys) STRATO_RETURN_IF_ERROR(ValidateTagKey("keys", k));
  return env_.store->Write([&](WriteTxn& t) {
    for (const auto& id : ids) {
      STRATO_RETURN_IF_ERROR(CheckOwned(t, p, id));
      for (const auto& k : keys) STRATO_RETURN_IF_ERROR(t.DeleteTag(p.tenant_id, id, k));
    }
    return OkStatus();
  });
}

Result<std::vector<TagEntry>> ResourceCommands::ListTags(const Principal& p,
                                                         const std::string& id) {
  std::vector<TagEntry> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_RETURN_IF_ERROR(CheckOwned(t, p, id));
    STRATO_ASSIGN_OR_RETURN(auto tags, t.GetTags(Scope::Tenant(p.tenant_id), id));
    for (auto& [k, v] : tags) out.push_back({id, k, v});
    return OkStatus();
  }));
  return out;
}

Result<Image> ResourceCommands::CreateImage(const Principal& p, const std::string& name,
                                            const std::string& description, bool is_public) {
  STRATO_RETURN_IF_ERROR(ValidateName("name", name, 128));
  if (description.size() > 255) {
    return InvalidParameter("'description' must be at most 255 characters.");
  }
  if (is_public) STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  Image image{NewResourceId("ami"), p.tenant_id, name, description, is_public, "available",
              env_.now_ms()};
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) { return t.InsertImage(image); }));
  return image;
}

Result<std::vector<Image>> ResourceCommands::ListImages(const Principal& p) {
  std::vector<Image> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListImages(Scope::Tenant(p.tenant_id), {.limit = 100000}));
    return OkStatus();
  }));
  return out;
}

Result<Image> ResourceCommands::GetImage(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  Result<Image> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetImage(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Status ResourceCommands::DeleteImage(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  Status s = env_.store->Write(
      [&](WriteTxn& t) { return DeregisterImageInTxn(t, p, id).status(); });
  if (s.ok()) env_.kick_volumes();  // its disk may be collectable now
  return s;
}

Result<std::string> OpenSshFingerprint(const std::string& public_key) {
  auto bad = [](const std::string& why) {
    return BadRequest("InvalidKey.Format", "'public_key' is not an OpenSSH public key: " + why);
  };
  auto sp = public_key.find(' ');
  if (sp == std::string::npos) return bad("expected '<type> <base64> [comment]'.");
  std::string type = public_key.substr(0, sp);
  std::string rest = public_key.substr(sp + 1);
  std::string b64 = rest.substr(0, rest.find_first_of(" \r\n"));
  if (type != "ssh-ed25519" && type != "ssh-rsa" && type.rfind("ecdsa-sha2-", 0) != 0) {
    return bad("unsupported key type '" + type + "'.");
  }
  if (b64.empty() || b64.size() % 4 || b64.size() > 16384) return bad("bad base64 length.");
  std::string blob(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(blob.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return bad("bad base64.");
  size_t pad = b64.size() - b64.find_last_not_of('=') - 1;
  blob.resize(static_cast<size_t>(n) - pad);
  // The blob starts with the key type as an SSH string: uint32 length + bytes.
  if (blob.size() < 4 + type.size()) return bad("key data too short.");
  uint32_t len = (uint8_t(blob[0]) << 24) | (uint8_t(blob[1]) << 16) | (uint8_t(blob[2]) << 8) |
                 uint8_t(blob[3]);
  if (len != type.size() || blob.compare(4, len, type) != 0) {
    return bad("the key data does not match its type '" + type + "'.");
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(blob.data()), blob.size(), digest);
  unsigned char out[64];
  int m = EVP_EncodeBlock(out, digest, SHA256_DIGEST_LENGTH);
  std::string fp(reinterpret_cast<char*>(out), static_cast<size_t>(m));
  while (!fp.empty() && fp.back() == '=') fp.pop_back();
  return "SHA256:" + fp;
}

Result<KeyPair> ResourceCommands::ImportKeyPair(const Principal& p, const std::string& name,
                                                const std::string& public_key) {
  STRATO_RETURN_IF_ERROR(ValidateName("name", name, 255));
  STRATO_ASSIGN_OR_RETURN(auto fingerprint, OpenSshFingerprint(public_key));
  KeyPair k{NewResourceId("key"), p.tenant_id, name, public_key, fingerprint, env_.now_ms()};
  Status s = env_.store->Write([&](WriteTxn& t) { return t.InsertKeyPair(k); });
  if (s.code() == "AlreadyExists") {
    return BadRequest("InvalidKeyPair.Duplicate", "The key pair '" + name + "' already exists.");
  }
  STRATO_RETURN_IF_ERROR(s);
  return k;
}

Result<NewKeyPair> ResourceCommands::CreateKeyPair(const Principal& p, const std::string& name,
                                                   const std::string& key_type) {
  STRATO_RETURN_IF_ERROR(ValidateName("name", name, 255));
  STRATO_ASSIGN_OR_RETURN(auto generated, GenerateSshKey(key_type, name));
  STRATO_ASSIGN_OR_RETURN(auto key, ImportKeyPair(p, name, generated.public_openssh));
  return NewKeyPair{std::move(key), std::move(generated.private_pem)};
}

Result<std::vector<KeyPair>> ResourceCommands::ListKeyPairs(const Principal& p) {
  std::vector<KeyPair> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListKeyPairs(Scope::Tenant(p.tenant_id), {.limit = 100000}));
    return OkStatus();
  }));
  return out;
}

Result<KeyPair> ResourceCommands::GetKeyPair(const Principal& p, const std::string& name) {
  Result<KeyPair> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetKeyPair(Scope::Tenant(p.tenant_id), name);
    return OkStatus();
  }));
  return out;
}

Status ResourceCommands::DeleteKeyPair(const Principal& p, const std::string& name) {
  return env_.store->Write([&](WriteTxn& t) { return t.DeleteKeyPair(p.tenant_id, name); });
}

}  // namespace strato

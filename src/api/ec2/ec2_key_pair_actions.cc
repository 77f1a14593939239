// Key-pair actions: CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPair over
// ResourceCommands.
#include <openssl/evp.h>

#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_render.h"

namespace strato::api::ec2 {
namespace {

Result<std::string> DecodeBase64(const std::string& b64) {
  auto bad = [] {
    return BadRequest("InvalidKey.Format", "PublicKeyMaterial is not valid base64.");
  };
  if (b64.empty() || b64.size() % 4 || b64.size() > 16384) return bad();
  std::string out(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return bad();
  size_t pad = b64.size() - b64.find_last_not_of('=') - 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string KeyType(const KeyPair& k) {
  if (k.public_key.rfind("ssh-ed25519", 0) == 0) return "ed25519";
  if (k.public_key.rfind("ecdsa", 0) == 0) return "ecdsa";
  return "rsa";
}

}  // namespace

void RegisterKeyPairActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("ImportKeyPair", {"KeyName", "PublicKeyMaterial"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto name, c.params.Required("KeyName"));
                 STRATO_ASSIGN_OR_RETURN(auto b64, c.params.Required("PublicKeyMaterial"));
                 STRATO_ASSIGN_OR_RETURN(auto material, DecodeBase64(b64));
                 while (!material.empty() && (material.back() == '\n' || material.back() == '\r')) {
                   material.pop_back();
                 }
                 STRATO_ASSIGN_OR_RETURN(auto k, d->resources->ImportKeyPair(c.principal, name,
                                                                           material));
                 x.Leaf("keyFingerprint", k.fingerprint);
                 x.Leaf("keyName", k.name);
                 x.Leaf("keyPairId", k.id);
                 return OkStatus();
               });

  api.Register("CreateKeyPair", {"KeyName", "KeyType", "KeyFormat"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto name, c.params.Required("KeyName"));
                 auto format = c.params.Optional("KeyFormat").value_or("pem");
                 if (format != "pem") {
                   return InvalidParameter("KeyFormat '" + format + "' is not supported: "
                                           "only 'pem'.");
                 }
                 STRATO_ASSIGN_OR_RETURN(
                     auto k, d->resources->CreateKeyPair(
                                 c.principal, name, c.params.Optional("KeyType").value_or("rsa")));
                 x.Leaf("keyName", k.key.name);
                 x.Leaf("keyFingerprint", k.key.fingerprint);
                 x.Leaf("keyMaterial", k.private_key);
                 x.Leaf("keyPairId", k.key.id);
                 return OkStatus();
               });

  api.Register(
      "DescribeKeyPairs",
      {"KeyName.#", "KeyPairId.#", "Filter.#.Name", "Filter.#.Value.#", "IncludePublicKey"},
      [d](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto names, c.params.List("KeyName"));
        STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("KeyPairId"));
        STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
        STRATO_ASSIGN_OR_RETURN(auto include_key, c.params.Bool("IncludePublicKey"));
        std::vector<std::string> name_filter, id_filter, fp_filter;
        for (const auto& f : filters) {
          auto* into = f.name == "key-name"      ? &name_filter
                       : f.name == "key-pair-id" ? &id_filter
                       : f.name == "fingerprint" ? &fp_filter
                                                 : nullptr;
          if (!into) return InvalidParameter("The filter '" + f.name + "' is invalid.");
          into->insert(into->end(), f.values.begin(), f.values.end());
        }
        std::vector<KeyPair> keys;
        for (const auto& n : names) {
          STRATO_ASSIGN_OR_RETURN(auto k, d->resources->GetKeyPair(c.principal, n));
          keys.push_back(std::move(k));
        }
        if (names.empty()) {
          STRATO_ASSIGN_OR_RETURN(keys, d->resources->ListKeyPairs(c.principal));
        }
        for (const auto& id : ids) {
          bool found = std::any_of(keys.begin(), keys.end(),
                                   [&](const KeyPair& k) { return k.id == id; });
          if (!found) {
            return BadRequest("InvalidKeyPair.NotFound",
                              "The key pair '" + id + "' does not exist");
          }
        }
        x.Open("keySet");
        for (const auto& k : keys) {
          if ((!ids.empty() && std::find(ids.begin(), ids.end(), k.id) == ids.end()) ||
              !FilterMatches(name_filter, k.name) || !FilterMatches(id_filter, k.id) ||
              !FilterMatches(fp_filter, k.fingerprint)) {
            continue;
          }
          x.Open("item");
          x.Leaf("keyPairId", k.id);
          x.Leaf("keyFingerprint", k.fingerprint);
          x.Leaf("keyName", k.name);
          x.Leaf("keyType", KeyType(k));
          x.Leaf("createTime", Ec2Time(k.created_at));
          if (include_key.value_or(false)) x.Leaf("publicKey", k.public_key);
          x.Close();
        }
        x.Close();
        return OkStatus();
      });

  api.Register("DeleteKeyPair", {"KeyName", "KeyPairId"}, [d](const Ec2Call& c, XmlWriter& x) {
    auto name = c.params.Optional("KeyName");
    auto id = c.params.Optional("KeyPairId");
    if (!name && !id) {
      return MissingParameter("The request must contain the parameter KeyName or KeyPairId.");
    }
    std::string key_id;
    if (!name) {
      STRATO_ASSIGN_OR_RETURN(auto keys, d->resources->ListKeyPairs(c.principal));
      for (const auto& k : keys) {
        if (k.id == *id) name = k.name;
      }
    }
    if (name) {
      Status s = d->resources->DeleteKeyPair(c.principal, *name);
      // EC2 answers success for a key pair that is already gone.
      if (!s.ok() && s.code() != "InvalidKeyPair.NotFound") return s;
    }
    x.Leaf("return", true);
    if (id) x.Leaf("keyPairId", *id);
    return OkStatus();
  });
}

}  // namespace strato::api::ec2

#pragma once
// Identity: tenants, users, access keys, SigV4 authentication and first-start bootstrap.
//
// Secrets are sealed with the SecretBox before they reach the store; the plaintext is
// returned exactly once, at creation. Authentication caches opened secrets in memory
// (invalidated when a key is deleted) so a request costs no decryption.
// Errors: InvalidClientTokenId, SignatureDoesNotMatch, RequestExpired, IncompleteSignature
// (403), MissingAuthenticationToken (401), UnauthorizedOperation (403), *.NotFound, conflicts.
// Thread-safety: thread-safe.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "commands/command_env.h"
#include "common/secret_box.h"
#include "common/sigv4.h"

namespace strato {

struct NewAccessKey {
  AccessKey key;
  std::string secret;  // plaintext, shown once
};

struct BootstrapResult {
  bool created = false;  // false: the admin existed already
  Tenant tenant;
  User user;
  NewAccessKey key;
};

class IdentityCommands {
 public:
  IdentityCommands(CommandEnv& env, const SecretBox& box) : env_(env), box_(box) {}

  // Creates the admin tenant, user and first access key unless they exist.
  Result<BootstrapResult> Bootstrap();

  // SigV4 over the request; `service` is the credential-scope service the front end
  // answers to ("strato", "ec2", "s3").
  Result<Principal> Authenticate(const sigv4::HttpRequestView& request, std::string_view service);

  // S3's forms (identity_s3_auth.cc): the Authorization header, or a presigned URL's X-Amz-*
  // query parameters (X-Amz-Expires 1..604800 s, payload UNSIGNED-PAYLOAD). Also answers
  // what a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body needs to check its chunk signatures.
  // No credentials at all: AccessDenied (403), as S3 answers anonymous requests.
  struct S3Auth {
    Principal principal;
    std::string signing_key;     // binary
    std::string seed_signature;  // the request's own signature
    std::string amz_date;
    sigv4::Credential credential;
  };
  Result<S3Auth> AuthenticateS3(const sigv4::HttpRequestView& request);

  Result<Tenant> CreateTenant(const Principal& p, const std::string& name);
  Result<std::vector<Tenant>> ListTenants(const Principal& p);
  Result<Tenant> GetTenant(const Principal& p, const std::string& id);

  Result<User> CreateUser(const Principal& p, const std::string& name,
                          std::optional<std::string> tenant_id, std::optional<std::string> role);
  Result<std::vector<User>> ListUsers(const Principal& p);
  Result<User> GetUser(const Principal& p, const std::string& id);

  Result<NewAccessKey> CreateAccessKey(const Principal& p, const std::string& user_id);
  Result<std::vector<AccessKey>> ListAccessKeys(const Principal& p);
  Status DeleteAccessKey(const Principal& p, const std::string& id);

 private:
  struct CachedKey {
    Principal principal;
    std::string secret;
  };
  Result<CachedKey> LookupKey(const std::string& access_key_id);
  Result<NewAccessKey> MakeKey(const User& user);

  CommandEnv& env_;
  const SecretBox& box_;
  std::mutex mu_;
  std::unordered_map<std::string, CachedKey> cache_;  // GUARDED_BY(mu_)
};

}  // namespace strato

#include "commands/identity_commands.h"

#include <strings.h>

#include "commands/validation.h"
#include "common/ids.h"

namespace strato {
namespace {

constexpr const char* kAdminTenant = "admin";
constexpr const char* kAdminUser = "admin";

// Members may only look at their own tenant; the answer for others is NotFound.
Scope ScopeOf(const Principal& p) { return Scope::For(p); }

}  // namespace

Result<NewAccessKey> IdentityCommands::MakeKey(const User& user) {
  NewAccessKey k;
  k.secret = NewSecretAccessKey();
  k.key.id = NewAccessKeyId();
  k.key.user_id = user.id;
  k.key.tenant_id = user.tenant_id;
  k.key.secret_sealed = box_.Seal(k.secret);
  k.key.active = true;
  k.key.created_at = env_.now_ms();
  return k;
}

Result<BootstrapResult> IdentityCommands::Bootstrap() {
  BootstrapResult r;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    auto existing = t.GetTenantByName(kAdminTenant);
    if (existing.ok()) return OkStatus();
    r.created = true;
    r.tenant = Tenant{NewResourceId("t"), kAdminTenant, env_.now_ms()};
    r.user = User{NewResourceId("u"), r.tenant.id, kAdminUser, Role::kAdmin, env_.now_ms()};
    STRATO_ASSIGN_OR_RETURN(r.key, MakeKey(r.user));
    STRATO_RETURN_IF_ERROR(t.InsertTenant(r.tenant));
    STRATO_RETURN_IF_ERROR(t.InsertUser(r.user));
    return t.InsertAccessKey(r.key.key);
  }));
  return r;
}

Result<IdentityCommands::CachedKey> IdentityCommands::LookupKey(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end()) return it->second;
  }
  auto unknown = [&] {
    return Forbidden("InvalidClientTokenId",
                     "The security token included in the request is invalid.");
  };
  if (!IsAccessKeyId(id)) return unknown();
  CachedKey entry;
  Status s = env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(auto key, t.GetAccessKey(Scope::System(), id));
    if (!key.active) return unknown();
    STRATO_ASSIGN_OR_RETURN(auto user, t.GetUser(Scope::System(), key.user_id));
    STRATO_ASSIGN_OR_RETURN(entry.secret, box_.Open(key.secret_sealed));
    entry.principal = Principal{user.tenant_id, user.id, key.id, user.role};
    return OkStatus();
  });
  if (!s.ok()) return s.http_status() == 404 ? unknown() : s;
  std::lock_guard lock(mu_);
  cache_[id] = entry;
  return entry;
}

Result<Principal> IdentityCommands::Authenticate(const sigv4::HttpRequestView& request,
                                                 std::string_view service) {
  std::string_view header;
  for (const auto& [name, value] : request.headers) {
    if (name.size() == 13 && strcasecmp(name.c_str(), "authorization") == 0) header = value;
  }
  if (header.empty()) {
    return Unauthenticated("Missing Authentication Token: sign requests with AWS Signature "
                           "Version 4 (service '" + std::string(service) + "').");
  }
  STRATO_ASSIGN_OR_RETURN(auto auth, sigv4::ParseAuthorizationHeader(header));
  if (auth.credential.service != service || auth.credential.region != env_.region) {
    return Forbidden("SignatureDoesNotMatch",
                     "Credential should be scoped to region '" + env_.region + "' and service '" +
                         std::string(service) + "', not '" + auth.credential.region + "/" +
                         auth.credential.service + "'.");
  }
  STRATO_ASSIGN_OR_RETURN(auto key, LookupKey(auth.credential.access_key_id));
  const auto now =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(env_.now_ms()));
  Status verified = sigv4::VerifyRequest(request, auth, key.secret, now, service == "s3");
  // Clients disagree on how a percent-encoded path is canonicalized outside S3: the AWS
  // SDKs encode it again, curl --aws-sigv4 does not. Both signatures cover the same path.
  if (!verified.ok() && service != "s3" && request.raw_path.find('%') != std::string_view::npos &&
      verified.code() == "SignatureDoesNotMatch") {
    verified = sigv4::VerifyRequest(request, auth, key.secret, now, /*s3_style_path=*/true);
  }
  STRATO_RETURN_IF_ERROR(verified);
  return key.principal;
}

// ---- tenants ----

Result<Tenant> IdentityCommands::CreateTenant(const Principal& p, const std::string& name) {
  STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  STRATO_RETURN_IF_ERROR(ValidateName("name", name, 64));
  Tenant t{NewResourceId("t"), name, env_.now_ms()};
  Status s = env_.store->Write([&](WriteTxn& w) { return w.InsertTenant(t); });
  if (s.code() == "AlreadyExists") {
    return Conflict("TenantAlreadyExists", "A tenant named '" + name + "' already exists.");
  }
  STRATO_RETURN_IF_ERROR(s);
  return t;
}

Result<std::vector<Tenant>> IdentityCommands::ListTenants(const Principal& p) {
  std::vector<Tenant> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    if (!p.is_admin()) {
      STRATO_ASSIGN_OR_RETURN(auto own, t.GetTenant(p.tenant_id));
      out.push_back(own);
      return OkStatus();
    }
    STRATO_ASSIGN_OR_RETURN(out, t.ListTenants({.limit = 100000}));
    return OkStatus();
  }));
  return out;
}

Result<Tenant> IdentityCommands::GetTenant(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("tenant_id", id, "t", "InvalidTenantID.NotFound"));
  if (!p.is_admin() && id != p.tenant_id) {
    return NotFound("InvalidTenantID.NotFound", "The tenant '" + id + "' does not exist.");
  }
  Result<Tenant> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetTenant(id);
    return OkStatus();
  }));
  return out;
}

// ---- users ----

Result<User> IdentityCommands::CreateUser(const Principal& p, const std::string& name,
                                          std::optional<std::string> tenant_id,
                                          std::optional<std::string> role_name) {
  STRATO_RETURN_IF_ERROR(ValidateName("name", name, 64));
  Role role = Role::kMember;
  if (role_name) {
    auto r = ParseRole(*role_name);
    if (!r) return InvalidParameter("'role' must be 'admin' or 'member'.");
    role = *r;
  }
  std::string tenant = tenant_id.value_or(p.tenant_id);
  if (tenant_id) {
    STRATO_RETURN_IF_ERROR(ValidateId("tenant_id", tenant, "t", "InvalidTenantID.NotFound"));
  }
  if (!p.is_admin() && (tenant != p.tenant_id || role == Role::kAdmin)) {
    if (tenant != p.tenant_id) {
      return NotFound("InvalidTenantID.NotFound", "The tenant '" + tenant + "' does not exist.");
    }
    return RequireAdmin(p);
  }
  User u{NewResourceId("u"), tenant, name, role, env_.now_ms()};
  Status s = env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(auto owner, t.GetTenant(tenant));
    if (role == Role::kAdmin) {
      STRATO_ASSIGN_OR_RETURN(auto admin_tenant, t.GetTenantByName(kAdminTenant));
      if (owner.id != admin_tenant.id) {
        return InvalidParameter("'role': admin users belong to the admin tenant only.");
      }
    }
    return t.InsertUser(u);
  });
  if (s.code() == "AlreadyExists") {
    return Conflict("UserAlreadyExists", "A user named '" + name + "' already exists in tenant " +
                                             tenant + ".");
  }
  STRATO_RETURN_IF_ERROR(s);
  return u;
}

Result<std::vector<User>> IdentityCommands::ListUsers(const Principal& p) {
  std::vector<User> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListUsers(ScopeOf(p), {.limit = 100000}));
    return OkStatus();
  }));
  return out;
}

Result<User> IdentityCommands::GetUser(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("user_id", id, "u", "InvalidUserID.NotFound"));
  Result<User> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetUser(ScopeOf(p), id);
    return OkStatus();
  }));
  return out;
}

// ---- access keys ----

Result<NewAccessKey> IdentityCommands::CreateAccessKey(const Principal& p,
                                                       const std::string& user_id) {
  STRATO_RETURN_IF_ERROR(ValidateId("user_id", user_id, "u", "InvalidUserID.NotFound"));
  NewAccessKey out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(auto user, t.GetUser(ScopeOf(p), user_id));
    STRATO_ASSIGN_OR_RETURN(out, MakeKey(user));
    return t.InsertAccessKey(out.key);
  }));
  return out;
}

Result<std::vector<AccessKey>> IdentityCommands::ListAccessKeys(const Principal& p) {
  std::vector<AccessKey> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListAccessKeys(ScopeOf(p), {.limit = 100000}));
    return OkStatus();
  }));
  return out;
}

Status IdentityCommands::DeleteAccessKey(const Principal& p, const std::string& id) {
  if (!IsAccessKeyId(id)) {
    return NotFound("InvalidAccessKeyId.NotFound", "The access key '" + id + "' does not exist.");
  }
  STRATO_RETURN_IF_ERROR(
      env_.store->Write([&](WriteTxn& t) { return t.DeleteAccessKey(ScopeOf(p), id); }));
  std::lock_guard lock(mu_);
  cache_.erase(id);
  return OkStatus();
}

}  // namespace strato

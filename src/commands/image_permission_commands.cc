// ImageCommands' launch permissions: who besides the owner may use an image.
#include <algorithm>
#include <set>

#include "commands/image_commands.h"
#include "commands/validation.h"

namespace strato {
namespace {

constexpr size_t kMaxTenantsPerChange = 1000;
constexpr size_t kMaxTenantIdLength = 64;

Status ValidateTenantList(const char* field, const std::vector<std::string>& tenants) {
  for (const auto& t : tenants) {
    if (t.empty() || t.size() > kMaxTenantIdLength) {
      return InvalidParameter(std::string("'") + field + "': '" + t + "' is not a tenant id.");
    }
  }
  return OkStatus();
}

Status ValidateChange(const ModifyLaunchPermissionInput& in) {
  if (!in.reset && in.add_tenants.empty() && in.remove_tenants.empty() && !in.make_public) {
    return MissingParameter("Give at least one of 'add', 'remove' or 'public'.");
  }
  if (in.add_tenants.size() + in.remove_tenants.size() > kMaxTenantsPerChange) {
    return InvalidParameter("At most " + std::to_string(kMaxTenantsPerChange) +
                            " tenants may be added or removed at once.");
  }
  STRATO_RETURN_IF_ERROR(ValidateTenantList("add", in.add_tenants));
  STRATO_RETURN_IF_ERROR(ValidateTenantList("remove", in.remove_tenants));
  const std::set<std::string> added(in.add_tenants.begin(), in.add_tenants.end());
  for (const auto& t : in.remove_tenants) {
    if (added.count(t)) {
      return BadRequest("InvalidParameterCombination",
                        "The tenant '" + t + "' is both added and removed.");
    }
  }
  return OkStatus();
}

Result<LaunchPermission> PermissionOf(ReadTxn& t, const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(auto image, t.GetImage(Scope::System(), id));
  LaunchPermission out{.is_public = image.is_public};
  STRATO_ASSIGN_OR_RETURN(out.tenants, t.ListLaunchPermissions(id));
  return out;
}

}  // namespace

Result<LaunchPermission> ImageCommands::DescribeImageLaunchPermission(const Principal& p,
                                                                     const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  LaunchPermission out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(
        OwnedImage(t, p, id, "see the launch permissions of").status());
    STRATO_ASSIGN_OR_RETURN(out, PermissionOf(t, id));
    return OkStatus();
  }));
  return out;
}

Result<LaunchPermission> ImageCommands::ModifyImageLaunchPermission(
    const Principal& p, const std::string& id, const ModifyLaunchPermissionInput& in) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  STRATO_RETURN_IF_ERROR(ValidateChange(in));
  LaunchPermission out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto image,
                            OwnedImage(t, p, id, "change the launch permissions of"));
    if (in.reset) {
      STRATO_ASSIGN_OR_RETURN(auto granted, t.ListLaunchPermissions(id));
      for (const auto& tenant : granted) STRATO_RETURN_IF_ERROR(t.RemoveLaunchPermission(id, tenant));
      STRATO_RETURN_IF_ERROR(t.SetImagePublic(id, false));
    }
    for (const auto& tenant : in.add_tenants) {
      if (tenant == image.tenant_id) continue;  // the owner needs no grant
      auto known = t.GetTenant(tenant);
      if (!known.ok()) {
        if (known.status().http_status() != 404) return known.status();
        return InvalidParameter("'add': there is no tenant '" + tenant + "'.");
      }
      STRATO_RETURN_IF_ERROR(t.AddLaunchPermission(id, tenant));
    }
    for (const auto& tenant : in.remove_tenants) {
      STRATO_RETURN_IF_ERROR(t.RemoveLaunchPermission(id, tenant));
    }
    if (in.make_public) STRATO_RETURN_IF_ERROR(t.SetImagePublic(id, *in.make_public));
    STRATO_ASSIGN_OR_RETURN(out, PermissionOf(t, id));
    return OkStatus();
  }));
  return out;
}

}  // namespace strato

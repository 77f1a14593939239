#include "commands/address_commands.h"

#include <algorithm>

#include "commands/validation.h"
#include "common/ids.h"
#include "common/ipv4_cidr.h"

namespace strato {
namespace {

constexpr int kReservedLow = 10;  // network + the public side's own and test clients'

// The lowest free public addresses, `count` of them.
Result<std::vector<uint32_t>> FreePublicIps(ReadTxn& t, const CommandEnv& env, size_t count) {
  STRATO_ASSIGN_OR_RETURN(auto cidr, Ipv4Cidr::Parse(env.public_cidr));
  STRATO_ASSIGN_OR_RETURN(auto used, t.ListAddresses(Scope::System(), {}));
  std::vector<uint32_t> out;
  size_t k = 0;
  for (int64_t a = cidr.Host(kReservedLow); a < int64_t{cidr.broadcast()} && out.size() < count;
       ++a) {
    while (k < used.size() && used[k].ip_num < a) ++k;
    if (k < used.size() && used[k].ip_num == a) continue;
    out.push_back(static_cast<uint32_t>(a));
  }
  if (out.size() < count)
    return BadRequest("AddressLimitExceeded",
                      "No public address is left in " + env.public_cidr + ".");
  return out;
}

Address NewAddress(const CommandEnv& env, const std::string& tenant_id, uint32_t ip) {
  return Address{
      NewResourceId("eipalloc"), tenant_id, FormatIpv4(ip), ip, "", "", false, env.now_ms()};
}

// Ends an association in the caller's transaction (auto-assigned addresses go away).
Status EndAssociation(WriteTxn& t, Address a) {
  if (a.auto_assigned) return t.DeleteAddress(a.id);
  a.instance_id.clear();
  a.association_id.clear();
  return t.UpdateAddress(a);
}

Status ValidateAllocationId(const std::string& id) {
  return ValidateId("allocation_id", id, "eipalloc", "InvalidAllocationID.NotFound");
}

}  // namespace

Status AssignPublicIpsOnLaunch(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id,
                               const std::string& subnet_id,
                               std::vector<Instance>& instances) {
  STRATO_ASSIGN_OR_RETURN(bool on, t.GetMapPublicIpOnLaunch(subnet_id));
  if (!on || instances.empty()) return OkStatus();
  STRATO_ASSIGN_OR_RETURN(auto ips, FreePublicIps(t, env, instances.size()));
  for (size_t k = 0; k < instances.size(); ++k) {
    Address a = NewAddress(env, tenant_id, ips[k]);
    a.instance_id = instances[k].id;
    a.association_id = NewResourceId("eipassoc");
    a.auto_assigned = true;
    STRATO_RETURN_IF_ERROR(t.InsertAddress(a));
    instances[k].public_ip = a.public_ip;
  }
  return OkStatus();
}

Status AddressCommands::EndStaleAssociations(const Principal& p) {
  return env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto all, t.ListAddresses(Scope::Tenant(p.tenant_id), {}));
    for (const auto& a : all) {
      if (a.instance_id.empty()) continue;
      auto i = t.GetInstance(Scope::System(), a.instance_id);
      if (i.ok() && i->state != InstanceState::kTerminated) continue;
      STRATO_RETURN_IF_ERROR(EndAssociation(t, a));
    }
    return OkStatus();
  });
}

Result<Address> AddressCommands::Allocate(const Principal& p,
                                          const std::map<std::string, std::string>& tags) {
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", tags));
  Address a;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto ips, FreePublicIps(t, env_, 1));
    a = NewAddress(env_, p.tenant_id, ips.front());
    a.tags = tags;
    return t.InsertAddress(a);
  }));
  return a;
}

Result<std::vector<Address>> AddressCommands::List(const Principal& p) {
  STRATO_RETURN_IF_ERROR(EndStaleAssociations(p));
  std::vector<Address> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out, t.ListAddresses(Scope::Tenant(p.tenant_id), {}));
    return OkStatus();
  }));
  return out;
}

Result<Address> AddressCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateAllocationId(id));
  STRATO_RETURN_IF_ERROR(EndStaleAssociations(p));
  Result<Address> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetAddress(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Result<Address> AddressCommands::Associate(const Principal& p, const std::string& allocation_id,
                                           const std::string& instance_id,
                                           bool allow_reassociation) {
  STRATO_RETURN_IF_ERROR(ValidateAllocationId(allocation_id));
  if (instance_id.empty()) return MissingParameter("'instance_id' is required.");
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", instance_id, "i", "InvalidInstanceID.NotFound"));
  STRATO_RETURN_IF_ERROR(EndStaleAssociations(p));
  Address a;
  std::vector<std::string> kick = {instance_id};
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    const Scope scope = Scope::Tenant(p.tenant_id);
    STRATO_ASSIGN_OR_RETURN(a, t.GetAddress(scope, allocation_id));
    STRATO_ASSIGN_OR_RETURN(auto i, t.GetInstance(scope, instance_id));
    if (i.state == InstanceState::kTerminated || i.interfaces.empty())
      return IncorrectInstanceState("The instance '" + instance_id + "' is terminated.");
    if (a.instance_id == instance_id) return OkStatus();
    if (!a.instance_id.empty()) {
      if (!allow_reassociation) {
        return Conflict(
            "Resource.AlreadyAssociated",
            "The address " + a.public_ip + " is already associated with " + a.instance_id + ".");
      }
      kick.push_back(a.instance_id);
    }
    // One public address per instance: the one it had goes.
    STRATO_ASSIGN_OR_RETURN(auto had, t.ListAddresses(scope, {.instance_id = instance_id}));
    for (const auto& old : had) STRATO_RETURN_IF_ERROR(EndAssociation(t, old));
    a.instance_id = instance_id;
    a.association_id = NewResourceId("eipassoc");
    return t.UpdateAddress(a);
  }));
  env_.kick(kick);
  return a;
}

Result<Address> AddressCommands::Disassociate(const Principal& p, const std::string& id) {
  bool by_association = id.rfind("eipassoc-", 0) == 0;
  if (!by_association) STRATO_RETURN_IF_ERROR(ValidateAllocationId(id));
  STRATO_RETURN_IF_ERROR(EndStaleAssociations(p));
  Address a;
  std::string instance_id;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto all, t.ListAddresses(Scope::Tenant(p.tenant_id), {}));
    auto it = std::find_if(all.begin(), all.end(), [&](const Address& x) {
      return by_association ? x.association_id == id : x.id == id;
    });
    if (it == all.end()) {
      return by_association ? NotFound("InvalidAssociationID.NotFound",
                                       "The association ID '" + id + "' does not exist.")
                            : NotFound("InvalidAllocationID.NotFound",
                                       "The allocation ID '" + id + "' does not exist.");
    }
    a = *it;
    if (a.instance_id.empty()) return OkStatus();  // already not associated
    instance_id = a.instance_id;
    STRATO_RETURN_IF_ERROR(EndAssociation(t, a));
    a.instance_id.clear();
    a.association_id.clear();
    return OkStatus();
  }));
  if (!instance_id.empty()) env_.kick({instance_id});
  return a;
}

Status AddressCommands::Release(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateAllocationId(id));
  STRATO_RETURN_IF_ERROR(EndStaleAssociations(p));
  return env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto a, t.GetAddress(Scope::Tenant(p.tenant_id), id));
    if (!a.instance_id.empty()) {
      return Conflict("InvalidIPAddress.InUse", "The address " + a.public_ip +
                                                    " is associated with " + a.instance_id +
                                                    "; disassociate it first.");
    }
    return t.DeleteAddress(id);
  });
}

Status AddressCommands::SetMapPublicIpOnLaunch(const Principal& p, const std::string& subnet_id,
                                               bool on) {
  STRATO_RETURN_IF_ERROR(ValidateId("subnet_id", subnet_id, "subnet", "InvalidSubnetID.NotFound"));
  return env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.GetSubnet(Scope::Tenant(p.tenant_id), subnet_id).status());
    return t.SetMapPublicIpOnLaunch(subnet_id, on);
  });
}

Result<bool> AddressCommands::GetMapPublicIpOnLaunch(const Principal& p,
                                                     const std::string& subnet_id) {
  STRATO_RETURN_IF_ERROR(ValidateId("subnet_id", subnet_id, "subnet", "InvalidSubnetID.NotFound"));
  bool on = false;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.GetSubnet(Scope::Tenant(p.tenant_id), subnet_id).status());
    STRATO_ASSIGN_OR_RETURN(on, t.GetMapPublicIpOnLaunch(subnet_id));
    return OkStatus();
  }));
  return on;
}

}  // namespace strato

#include "commands/network_commands.h"

#include "commands/address_commands.h"
#include "commands/security_group_commands.h"
#include "commands/validation.h"
#include "common/hex.h"
#include "common/ids.h"
#include "common/ipv4_cidr.h"
#include "common/random.h"

namespace strato {
namespace {

constexpr char kDefaultVpcCidr[] = "172.16.0.0/12";
constexpr char kDefaultSubnetCidr[] = "172.16.0.0/13";
constexpr int kReservedLow = 4;  // network, gateway, DNS, reserved
constexpr int kMacAttempts = 8;

Result<Ipv4Cidr> ParseRangedCidr(const std::string& field, const std::string& text,
                                 const char* range_code) {
  if (text.empty()) return MissingParameter("'" + field + "' is required.");
  STRATO_ASSIGN_OR_RETURN(auto cidr, Ipv4Cidr::Parse(text));
  if (cidr.prefix_len() < 16 || cidr.prefix_len() > 28) {
    return BadRequest(range_code, "'" + field + "': the CIDR block " + text +
                                      " is invalid; the prefix must be /16 to /28.");
  }
  return cidr;
}

// The default VPC and subnet of a tenant, created if missing (in the caller's txn).
Result<Subnet> DefaultSubnet(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id) {
  STRATO_ASSIGN_OR_RETURN(auto subnet, t.GetDefaultSubnet(tenant_id));
  if (subnet) return std::move(*subnet);
  STRATO_ASSIGN_OR_RETURN(auto vpc, t.GetDefaultVpc(tenant_id));
  if (!vpc) {
    vpc = Vpc{NewResourceId("vpc"), tenant_id, kDefaultVpcCidr, true, env.now_ms()};
    STRATO_RETURN_IF_ERROR(t.InsertVpc(*vpc));
  }
  Subnet s{NewResourceId("subnet"), tenant_id, vpc->id, kDefaultSubnetCidr, true, env.now_ms()};
  STRATO_RETURN_IF_ERROR(t.InsertSubnet(s));
  return s;
}

Result<std::string> NewMac(ReadTxn& t) {
  for (int i = 0; i < kMacAttempts; ++i) {
    unsigned char b[5];
    RandomBytes(b, sizeof b);
    // 02: locally administered, unicast; 40 random bits, checked for reuse below.
    std::string mac = "02";
    for (unsigned char c : b)
      mac += ":" + HexEncode(std::string_view(reinterpret_cast<char*>(&c), 1));
    STRATO_ASSIGN_OR_RETURN(auto used, t.ListNetworkInterfaces({.mac = mac}));
    if (used.empty()) return mac;
  }
  return Internal("could not find a free MAC address");
}

// Addresses for `count` interfaces in `subnet`, lowest free above the highest in use,
// else the lowest gaps.
Result<std::vector<uint32_t>> FreeAddresses(ReadTxn& t, const Subnet& subnet, size_t count) {
  auto cidr = *Ipv4Cidr::Parse(subnet.cidr);
  const int64_t first = cidr.Host(kReservedLow), last = int64_t{cidr.broadcast()} - 1;
  std::vector<uint32_t> out;
  STRATO_ASSIGN_OR_RETURN(auto max, t.MaxAddressInSubnet(subnet.id));
  for (int64_t a = max ? std::max(*max + 1, first) : first; a <= last && out.size() < count; ++a)
    out.push_back(static_cast<uint32_t>(a));
  if (out.size() < count) {
    STRATO_ASSIGN_OR_RETURN(auto used, t.ListNetworkInterfaces({.subnet_id = subnet.id}));
    int64_t next = first;
    auto take_until = [&](int64_t end) {
      for (; next < end && out.size() < count; ++next) out.push_back(static_cast<uint32_t>(next));
    };
    for (const auto& n : used) {
      take_until(n.ip_num);
      next = n.ip_num + 1;
    }
  }
  if (out.size() < count) {
    return BadRequest("InsufficientFreeAddressesInSubnet",
                      "The subnet '" + subnet.id + "' has not enough free addresses for " +
                          std::to_string(count) + " more instance(s).");
  }
  return out;
}

}  // namespace

Status ValidateNicRequest(const NicRequest& nic, int count) {
  if (nic.subnet_id) {
    STRATO_RETURN_IF_ERROR(
        ValidateId("subnet_id", *nic.subnet_id, "subnet", "InvalidSubnetID.NotFound"));
  }
  if (nic.private_ip) {
    STRATO_RETURN_IF_ERROR(ParseIpv4(*nic.private_ip).status());
    if (count != 1) return InvalidParameter("'private_ip' can only be given when 'count' is 1.");
  }
  return ValidateSecurityGroupIds(nic.security_group_ids);
}

Status AllocateInterfaces(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id,
                          const NicRequest& nic, std::vector<Instance>& instances) {
  Subnet subnet;
  if (nic.subnet_id) {
    STRATO_ASSIGN_OR_RETURN(subnet, t.GetSubnet(Scope::Tenant(tenant_id), *nic.subnet_id));
  } else {
    STRATO_ASSIGN_OR_RETURN(subnet, DefaultSubnet(t, env, tenant_id));
  }
  auto cidr = *Ipv4Cidr::Parse(subnet.cidr);
  std::vector<uint32_t> addrs;
  if (nic.private_ip) {
    uint32_t a = *ParseIpv4(*nic.private_ip);
    if (!cidr.Contains(a) || a < cidr.Host(kReservedLow) || a == cidr.broadcast()) {
      return InvalidParameter("'private_ip': " + *nic.private_ip + " is not a usable address of " +
                              subnet.id + " (" + subnet.cidr +
                              "; the first four and the last are reserved).");
    }
    STRATO_ASSIGN_OR_RETURN(auto used,
                            t.ListNetworkInterfaces({.subnet_id = subnet.id, .ip_num = a}));
    if (!used.empty()) {
      return Conflict("InvalidIPAddress.InUse", "The address " + *nic.private_ip +
                                                    " is already in use in " + subnet.id + ".");
    }
    addrs.push_back(a);
  } else {
    STRATO_ASSIGN_OR_RETURN(addrs, FreeAddresses(t, subnet, instances.size()));
  }
  for (size_t k = 0; k < instances.size(); ++k) {
    NetworkInterface n;
    n.id = NewResourceId("eni");
    n.tenant_id = tenant_id;
    n.instance_id = instances[k].id;
    n.vpc_id = subnet.vpc_id;
    n.subnet_id = subnet.id;
    n.private_ip = FormatIpv4(addrs[k]);
    n.ip_num = addrs[k];
    STRATO_ASSIGN_OR_RETURN(n.mac, NewMac(t));
    n.created_at = env.now_ms();
    STRATO_RETURN_IF_ERROR(t.InsertNetworkInterface(n));
    instances[k].interfaces = {std::move(n)};
  }
  STRATO_RETURN_IF_ERROR(AssignSecurityGroups(t, env, tenant_id, nic.security_group_ids, instances));
  return AssignPublicIpsOnLaunch(t, env, tenant_id, subnet.id, instances);
}

Status NetworkCommands::EnsureDefaults(const Principal& p) {
  bool present = false;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(auto s, t.GetDefaultSubnet(p.tenant_id));
    present = s.has_value();
    return OkStatus();
  }));
  if (present) return OkStatus();
  return env_.store->Write(
      [&](WriteTxn& t) { return DefaultSubnet(t, env_, p.tenant_id).status(); });
}

Result<Vpc> NetworkCommands::CreateVpc(const Principal& p, const std::string& cidr_text,
                                       const std::map<std::string, std::string>& tags) {
  STRATO_ASSIGN_OR_RETURN(auto cidr, ParseRangedCidr("cidr", cidr_text, "InvalidVpc.Range"));
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", tags));
  Vpc v{NewResourceId("vpc"), p.tenant_id, cidr.ToString(), false, env_.now_ms(), tags};
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) { return t.InsertVpc(v); }));
  return v;
}

Result<std::vector<Vpc>> NetworkCommands::ListVpcs(const Principal& p) {
  STRATO_RETURN_IF_ERROR(EnsureDefaults(p));
  std::vector<Vpc> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListVpcs(Scope::Tenant(p.tenant_id), Page{.limit = 1000}));
    return OkStatus();
  }));
  return out;
}

Result<Vpc> NetworkCommands::GetVpc(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("vpc_id", id, "vpc", "InvalidVpcID.NotFound"));
  Result<Vpc> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetVpc(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Status NetworkCommands::DeleteVpc(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("vpc_id", id, "vpc", "InvalidVpcID.NotFound"));
  return env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.GetVpc(Scope::Tenant(p.tenant_id), id).status());
    STRATO_ASSIGN_OR_RETURN(
        auto subnets, t.ListSubnets(Scope::Tenant(p.tenant_id), {.vpc_id = id}, Page{.limit = 1}));
    if (!subnets.empty()) {
      return Conflict("DependencyViolation", "The vpc '" + id +
                                                 "' has dependencies and cannot be deleted: "
                                                 "delete its subnets first.");
    }
    return t.DeleteVpc(id);
  });
}

Result<Subnet> NetworkCommands::CreateSubnet(const Principal& p, const CreateSubnetInput& in) {
  if (in.vpc_id.empty()) return MissingParameter("'vpc_id' is required.");
  STRATO_RETURN_IF_ERROR(ValidateId("vpc_id", in.vpc_id, "vpc", "InvalidVpcID.NotFound"));
  STRATO_ASSIGN_OR_RETURN(auto cidr, ParseRangedCidr("cidr", in.cidr, "InvalidSubnet.Range"));
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", in.tags));
  Subnet s{NewResourceId("subnet"), p.tenant_id, in.vpc_id, cidr.ToString(), false, env_.now_ms()};
  s.tags = in.tags;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto vpc, t.GetVpc(Scope::Tenant(p.tenant_id), in.vpc_id));
    if (!Ipv4Cidr::Parse(vpc.cidr)->Contains(cidr)) {
      return BadRequest("InvalidSubnet.Range",
                        "The CIDR " + s.cidr + " is not inside the vpc's " + vpc.cidr + ".");
    }
    STRATO_ASSIGN_OR_RETURN(
        auto siblings,
        t.ListSubnets(Scope::Tenant(p.tenant_id), {.vpc_id = vpc.id}, Page{.limit = 100000}));
    for (const auto& o : siblings) {
      if (Ipv4Cidr::Parse(o.cidr)->Overlaps(cidr)) {
        return Conflict("InvalidSubnet.Conflict", "The CIDR " + s.cidr + " conflicts with subnet " +
                                                      o.id + " (" + o.cidr + ").");
      }
    }
    return t.InsertSubnet(s);
  }));
  return s;
}

Result<std::vector<Subnet>> NetworkCommands::ListSubnets(const Principal& p,
                                                         std::optional<std::string> vpc_id) {
  if (vpc_id) STRATO_RETURN_IF_ERROR(ValidateId("vpc_id", *vpc_id, "vpc", "InvalidVpcID.NotFound"));
  STRATO_RETURN_IF_ERROR(EnsureDefaults(p));
  std::vector<Subnet> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(
        out, t.ListSubnets(Scope::Tenant(p.tenant_id), {.vpc_id = vpc_id}, Page{.limit = 1000}));
    return OkStatus();
  }));
  return out;
}

Result<Subnet> NetworkCommands::GetSubnet(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("subnet_id", id, "subnet", "InvalidSubnetID.NotFound"));
  Result<Subnet> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetSubnet(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Status NetworkCommands::DeleteSubnet(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("subnet_id", id, "subnet", "InvalidSubnetID.NotFound"));
  return env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto s, t.GetSubnet(Scope::Tenant(p.tenant_id), id));
    if (s.used_addresses > 0) {
      return Conflict("DependencyViolation",
                      "The subnet '" + id + "' has dependencies and cannot be deleted: " +
                          std::to_string(s.used_addresses) + " instance(s) still use it.");
    }
    return t.DeleteSubnet(id);
  });
}

}  // namespace strato

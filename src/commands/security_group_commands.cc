#include "commands/security_group_commands.h"

#include <algorithm>
#include <set>

#include "commands/network_commands.h"
#include "commands/validation.h"
#include "common/ids.h"
#include "common/ipv4_cidr.h"

namespace strato {
namespace {

constexpr size_t kMaxRulesPerDirection = 60;
constexpr char kDefaultGroupName[] = "default";

Status ValidateGroupId(const std::string& id) {
  return ValidateId("group_id", id, "sg", "InvalidGroup.NotFound");
}

// The canonical protocol name, or nullopt for an unknown protocol.
std::optional<std::string> CanonicalProtocol(std::string p) {
  for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (p == "tcp" || p == "6") return "tcp";
  if (p == "udp" || p == "17") return "udp";
  if (p == "icmp" || p == "1") return "icmp";
  if (p == "all" || p == "-1") return "all";
  return std::nullopt;
}

// Validates and normalizes one rule (the peer group is checked in the transaction).
Result<SecurityGroupRule> Normalize(const RuleInput& in, const std::string& group_id, bool egress) {
  SecurityGroupRule r;
  r.group_id = group_id;
  r.egress = egress;
  r.description = in.description;
  if (in.protocol.empty()) return MissingParameter("Each rule needs a 'protocol'.");
  auto proto = CanonicalProtocol(in.protocol);
  if (!proto) {
    return InvalidParameter("Unknown protocol '" + in.protocol + "': use tcp, udp, icmp or all.");
  }
  r.protocol = *proto;
  if (r.protocol == "tcp" || r.protocol == "udp") {
    if (!in.from_port || !in.to_port)
      return MissingParameter("A " + r.protocol + " rule needs 'from_port' and 'to_port'.");
    if (*in.from_port < 0 || *in.to_port > 65535 || *in.from_port > *in.to_port) {
      return InvalidParameter("Invalid port range " + std::to_string(*in.from_port) + "-" +
                              std::to_string(*in.to_port) +
                              ": ports are 0 to 65535 and 'from_port' <= 'to_port'.");
    }
    r.from_port = *in.from_port;
    r.to_port = *in.to_port;
  } else {
    // ICMP type/code filtering is not offered: the rule allows all ICMP, as "-1" does.
    for (const auto& port : {in.from_port, in.to_port}) {
      if (port && *port != -1) {
        return InvalidParameter("A " + r.protocol +
                                " rule takes no port range (give -1 or nothing).");
      }
    }
  }
  if (in.cidr.has_value() == in.source_group_id.has_value())
    return InvalidParameter("Each rule needs exactly one of 'cidr' and 'source_group_id'.");
  if (in.cidr) {
    STRATO_ASSIGN_OR_RETURN(auto cidr, Ipv4Cidr::Parse(*in.cidr));
    r.cidr = cidr.ToString();
  } else {
    STRATO_RETURN_IF_ERROR(ValidateGroupId(*in.source_group_id));
    r.source_group_id = *in.source_group_id;
  }
  if (r.description.size() > 255)
    return InvalidParameter("A rule's description is at most 255 characters.");
  return r;
}

bool SameRule(const SecurityGroupRule& a, const SecurityGroupRule& b) {
  return a.egress == b.egress && a.protocol == b.protocol && a.from_port == b.from_port &&
         a.to_port == b.to_port && a.cidr == b.cidr && a.source_group_id == b.source_group_id;
}

SecurityGroupRule AllEgress(const std::string& group_id) {
  return SecurityGroupRule{NewResourceId("sgr"), group_id, true, "all", -1, -1,
                           "0.0.0.0/0",          "",       ""};
}

// The VPC of an instance's (first) interface, or IncorrectInstanceState if it has none.
Result<std::string> VpcOf(const Instance& i) {
  if (i.interfaces.empty() || i.state == InstanceState::kTerminated)
    return IncorrectInstanceState("The instance '" + i.id + "' is terminated.");
  return i.interfaces.front().vpc_id;
}

// Checks the groups exist for the tenant, are in `vpc_id` and are listed once.
Status CheckGroupsInVpc(ReadTxn& t, const std::string& tenant_id, const std::string& vpc_id,
                        const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    STRATO_ASSIGN_OR_RETURN(auto g, t.GetSecurityGroup(Scope::Tenant(tenant_id), id));
    if (g.vpc_id != vpc_id) {
      return InvalidParameter("The security group '" + id + "' is in " + g.vpc_id +
                              ", not in the instance's " + vpc_id + ".");
    }
  }
  return OkStatus();
}

}  // namespace

Status ValidateSecurityGroupIds(const std::vector<std::string>& ids) {
  if (ids.size() > kMaxGroupsPerInstance) {
    return BadRequest("SecurityGroupsPerInstanceLimitExceeded",
                      "An instance can be in at most 5 security groups; " +
                          std::to_string(ids.size()) + " were given.");
  }
  std::set<std::string> seen;
  for (const auto& id : ids) {
    STRATO_RETURN_IF_ERROR(ValidateGroupId(id));
    if (!seen.insert(id).second)
      return InvalidParameter("The security group '" + id + "' is listed twice.");
  }
  return OkStatus();
}

Result<SecurityGroup> EnsureDefaultSecurityGroup(WriteTxn& t, const CommandEnv& env,
                                                 const std::string& tenant_id,
                                                 const std::string& vpc_id) {
  SecurityGroupFilter f;
  f.vpc_id = vpc_id;
  f.name = kDefaultGroupName;
  STRATO_ASSIGN_OR_RETURN(auto found, t.ListSecurityGroups(Scope::Tenant(tenant_id), f));
  if (!found.empty()) return std::move(found.front());
  SecurityGroup g{NewResourceId("sg"),          tenant_id, vpc_id,       kDefaultGroupName,
                  "default VPC security group", true,      env.now_ms(), {}};
  g.rules.push_back(AllEgress(g.id));
  g.rules.push_back(
      SecurityGroupRule{NewResourceId("sgr"), g.id, false, "all", -1, -1, "", g.id, ""});
  STRATO_RETURN_IF_ERROR(t.InsertSecurityGroup(g));
  return g;
}

Status AssignSecurityGroups(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id,
                            const std::vector<std::string>& group_ids,
                            std::vector<Instance>& instances) {
  if (instances.empty()) return OkStatus();
  STRATO_ASSIGN_OR_RETURN(std::string vpc_id, VpcOf(instances.front()));
  std::vector<std::string> ids = group_ids;
  if (ids.empty()) {
    STRATO_ASSIGN_OR_RETURN(auto def, EnsureDefaultSecurityGroup(t, env, tenant_id, vpc_id));
    ids.push_back(def.id);
  } else {
    STRATO_RETURN_IF_ERROR(CheckGroupsInVpc(t, tenant_id, vpc_id, ids));
  }
  SecurityGroupFilter f;
  f.ids = ids;
  STRATO_ASSIGN_OR_RETURN(auto groups, t.ListSecurityGroups(Scope::Tenant(tenant_id), f));
  std::vector<Instance::GroupRef> refs;
  for (const auto& id : ids) {
    for (const auto& g : groups) {
      if (g.id == id) refs.push_back({g.id, g.name});
    }
  }
  for (auto& i : instances) {
    STRATO_RETURN_IF_ERROR(t.SetInstanceSecurityGroups(i.id, ids));
    i.security_groups = refs;
  }
  return OkStatus();
}

void SecurityGroupCommands::KickVpc(const std::string& vpc_id) {
  std::vector<std::string> ids;
  (void)env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto nics, t.ListNetworkInterfaces({.vpc_id = vpc_id}));
    for (const auto& n : nics) ids.push_back(n.instance_id);
    return OkStatus();
  });
  if (!ids.empty()) env_.kick(std::move(ids));
}

Result<SecurityGroup> SecurityGroupCommands::Create(const Principal& p,
                                                    const CreateSecurityGroupInput& in) {
  if (in.name.empty()) return MissingParameter("'name' is required.");
  STRATO_RETURN_IF_ERROR(ValidateName("name", in.name, 255));
  if (in.name == kDefaultGroupName)
    return InvalidParameter("The name 'default' is reserved for the VPC's default group.");
  if (in.description.size() > 255)
    return InvalidParameter("'description' is at most 255 characters.");
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", in.tags));
  if (in.vpc_id)
    STRATO_RETURN_IF_ERROR(ValidateId("vpc_id", *in.vpc_id, "vpc", "InvalidVpcID.NotFound"));
  // The default VPC exists before a group can be made in it.
  if (!in.vpc_id) STRATO_RETURN_IF_ERROR(NetworkCommands(env_).ListVpcs(p).status());
  SecurityGroup g{NewResourceId("sg"), p.tenant_id, "", in.name, in.description, false,
                  env_.now_ms(),       {}};
  g.rules.push_back(AllEgress(g.id));
  g.tags = in.tags;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    if (in.vpc_id) {
      STRATO_ASSIGN_OR_RETURN(auto vpc, t.GetVpc(Scope::Tenant(p.tenant_id), *in.vpc_id));
      g.vpc_id = vpc.id;
    } else {
      STRATO_ASSIGN_OR_RETURN(auto vpc, t.GetDefaultVpc(p.tenant_id));
      if (!vpc) return Internal("the tenant has no default VPC");
      g.vpc_id = vpc->id;
    }
    STRATO_RETURN_IF_ERROR(EnsureDefaultSecurityGroup(t, env_, p.tenant_id, g.vpc_id).status());
    SecurityGroupFilter f;
    f.vpc_id = g.vpc_id;
    f.name = g.name;
    STRATO_ASSIGN_OR_RETURN(auto same, t.ListSecurityGroups(Scope::Tenant(p.tenant_id), f));
    if (!same.empty()) {
      return Conflict("InvalidGroup.Duplicate",
                      "The security group '" + g.name + "' already exists in " + g.vpc_id + ".");
    }
    return t.InsertSecurityGroup(g);
  }));
  return g;
}

Result<std::vector<SecurityGroup>> SecurityGroupCommands::List(const Principal& p,
                                                               std::optional<std::string> vpc_id) {
  if (vpc_id) STRATO_RETURN_IF_ERROR(ValidateId("vpc_id", *vpc_id, "vpc", "InvalidVpcID.NotFound"));
  std::vector<SecurityGroup> out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    // Every VPC shows its default group, even before anything was launched in it.
    STRATO_ASSIGN_OR_RETURN(auto vpcs, t.ListVpcs(Scope::Tenant(p.tenant_id), Page{.limit = 1000}));
    for (const auto& v : vpcs)
      STRATO_RETURN_IF_ERROR(EnsureDefaultSecurityGroup(t, env_, p.tenant_id, v.id).status());
    if (vpc_id) STRATO_RETURN_IF_ERROR(t.GetVpc(Scope::Tenant(p.tenant_id), *vpc_id).status());
    SecurityGroupFilter f;
    f.vpc_id = vpc_id;
    STRATO_ASSIGN_OR_RETURN(out, t.ListSecurityGroups(Scope::Tenant(p.tenant_id), f));
    return OkStatus();
  }));
  return out;
}

Result<SecurityGroup> SecurityGroupCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateGroupId(id));
  Result<SecurityGroup> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetSecurityGroup(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Status SecurityGroupCommands::Delete(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateGroupId(id));
  return env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto g, t.GetSecurityGroup(Scope::Tenant(p.tenant_id), id));
    if (g.is_default) {
      return BadRequest("CannotDelete",
                        "The default security group of " + g.vpc_id + " cannot be deleted.");
    }
    STRATO_ASSIGN_OR_RETURN(auto members, t.ListSecurityGroupMembers({id}));
    if (!members.empty()) {
      return Conflict("DependencyViolation", "The security group '" + id + "' is used by " +
                                                 std::to_string(members.size()) +
                                                 " instance(s), e.g. " +
                                                 members.front().instance_id + ".");
    }
    SecurityGroupFilter f;
    f.vpc_id = g.vpc_id;
    STRATO_ASSIGN_OR_RETURN(auto siblings, t.ListSecurityGroups(Scope::Tenant(p.tenant_id), f));
    for (const auto& s : siblings) {
      if (s.id == id) continue;
      for (const auto& r : s.rules) {
        if (r.source_group_id == id) {
          return Conflict("DependencyViolation",
                          "The security group '" + id + "' is named by a rule of " + s.id + ".");
        }
      }
    }
    return t.DeleteSecurityGroup(id);
  });
}

Result<SecurityGroup> SecurityGroupCommands::Authorize(const Principal& p, const std::string& id,
                                                       bool egress,
                                                       const std::vector<RuleInput>& rules) {
  return ChangeRules(p, id, egress, rules, true);
}

Result<SecurityGroup> SecurityGroupCommands::Revoke(const Principal& p, const std::string& id,
                                                    bool egress,
                                                    const std::vector<RuleInput>& rules) {
  return ChangeRules(p, id, egress, rules, false);
}

Result<SecurityGroup> SecurityGroupCommands::ChangeRules(const Principal& p, const std::string& id,
                                                         bool egress,
                                                         const std::vector<RuleInput>& inputs,
                                                         bool add) {
  STRATO_RETURN_IF_ERROR(ValidateGroupId(id));
  if (inputs.empty()) return MissingParameter("At least one rule is required.");
  std::vector<SecurityGroupRule> wanted;
  for (const auto& in : inputs) {
    STRATO_ASSIGN_OR_RETURN(auto r, Normalize(in, id, egress));
    wanted.push_back(std::move(r));
  }
  SecurityGroup g;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(g, t.GetSecurityGroup(Scope::Tenant(p.tenant_id), id));
    std::vector<SecurityGroupRule> rules = g.rules;
    for (auto& w : wanted) {
      auto same = std::find_if(rules.begin(), rules.end(),
                               [&](const SecurityGroupRule& r) { return SameRule(r, w); });
      if (add) {
        if (same != rules.end())
          return BadRequest("InvalidPermission.Duplicate",
                            "The rule already exists in " + id + ".");
        if (!w.source_group_id.empty())
          STRATO_RETURN_IF_ERROR(CheckGroupsInVpc(t, p.tenant_id, g.vpc_id, {w.source_group_id}));
        w.id = NewResourceId("sgr");
        rules.push_back(w);
      } else {
        if (same == rules.end())
          return BadRequest("InvalidPermission.NotFound", "No such rule in " + id + ".");
        rules.erase(same);
      }
    }
    size_t in_direction = std::count_if(
        rules.begin(), rules.end(), [&](const SecurityGroupRule& r) { return r.egress == egress; });
    if (in_direction > kMaxRulesPerDirection) {
      return BadRequest("RulesPerSecurityGroupLimitExceeded",
                        "A security group has at most 60 rules per direction.");
    }
    g.rules = rules;
    return t.ReplaceSecurityGroupRules(id, rules);
  }));
  KickVpc(g.vpc_id);
  return g;
}

Result<std::vector<std::string>> SecurityGroupCommands::SetInstanceGroups(
    const Principal& p, const std::string& instance_id, const std::vector<std::string>& ids) {
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", instance_id, "i", "InvalidInstanceID.NotFound"));
  if (ids.empty()) return MissingParameter("'security_group_ids' needs at least one group.");
  STRATO_RETURN_IF_ERROR(ValidateSecurityGroupIds(ids));
  std::string vpc_id;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto i, t.GetInstance(Scope::Tenant(p.tenant_id), instance_id));
    STRATO_ASSIGN_OR_RETURN(vpc_id, VpcOf(i));
    STRATO_RETURN_IF_ERROR(CheckGroupsInVpc(t, p.tenant_id, vpc_id, ids));
    return t.SetInstanceSecurityGroups(instance_id, ids);
  }));
  KickVpc(vpc_id);
  return ids;
}

Result<std::vector<std::string>> SecurityGroupCommands::InstanceGroups(
    const Principal& p, const std::string& instance_id) {
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", instance_id, "i", "InvalidInstanceID.NotFound"));
  std::vector<std::string> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.GetInstance(Scope::Tenant(p.tenant_id), instance_id).status());
    STRATO_ASSIGN_OR_RETURN(out, t.ListInstanceSecurityGroups(instance_id));
    return OkStatus();
  }));
  return out;
}

}  // namespace strato

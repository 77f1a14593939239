// Security-group actions: CreateSecurityGroup, DescribeSecurityGroups, DeleteSecurityGroup,
// Authorize/RevokeSecurityGroupIngress/Egress over SecurityGroupCommands.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_render.h"
#include "api/ec2/ec2_resource_filter.h"
#include "commands/security_group_commands.h"

namespace strato::api::ec2 {
namespace {

constexpr int kMaxIndex = 100;  // the CLI and SDKs number lists 1, 2, … without gaps

const std::vector<std::string> kRuleParams = {"GroupId",
                                              "GroupName",
                                              "IpProtocol",
                                              "FromPort",
                                              "ToPort",
                                              "CidrIp",
                                              "SourceSecurityGroupName",
                                              "SourceSecurityGroupOwnerId",
                                              "IpPermissions.#.IpProtocol",
                                              "IpPermissions.#.FromPort",
                                              "IpPermissions.#.ToPort",
                                              "IpPermissions.#.IpRanges.#.CidrIp",
                                              "IpPermissions.#.IpRanges.#.Description",
                                              "IpPermissions.#.UserIdGroupPairs.#.GroupId",
                                              "IpPermissions.#.UserIdGroupPairs.#.UserId",
                                              "IpPermissions.#.UserIdGroupPairs.#.Description",
                                              "IpPermissions.#.UserIdGroupPairs.#.GroupName",
                                              "IpPermissions.#.Groups.#.GroupId",
                                              "IpPermissions.#.Groups.#.UserId",
                                              "IpPermissions.#.Groups.#.Description",
                                              "IpPermissions.#.Groups.#.GroupName"};

Result<std::optional<int>> Port(const Ec2Params& p, const std::string& name) {
  STRATO_ASSIGN_OR_RETURN(auto v, p.Int(name, -1, 65535));
  if (!v) return std::optional<int>();
  return std::optional<int>(static_cast<int>(*v));
}

// The rules of an Authorize/Revoke call: the IpPermissions list, or the older flat form
// (IpProtocol, FromPort, ToPort, CidrIp) the CLI's --protocol/--port/--cidr send.
Result<std::vector<RuleInput>> ParseRules(const Ec2Params& p) {
  std::vector<RuleInput> out;
  if (auto proto = p.Optional("IpProtocol")) {
    RuleInput r;
    r.protocol = *proto;
    STRATO_ASSIGN_OR_RETURN(r.from_port, Port(p, "FromPort"));
    STRATO_ASSIGN_OR_RETURN(r.to_port, Port(p, "ToPort"));
    r.cidr = p.Optional("CidrIp");
    if (!r.cidr) return MissingParameter("CidrIp is required with IpProtocol.");
    out.push_back(std::move(r));
  }
  for (int n = 1; n <= kMaxIndex; ++n) {
    const std::string base = "IpPermissions." + std::to_string(n) + ".";
    auto proto = p.Optional(base + "IpProtocol");
    if (!proto) break;
    RuleInput shape;
    shape.protocol = *proto;
    STRATO_ASSIGN_OR_RETURN(shape.from_port, Port(p, base + "FromPort"));
    STRATO_ASSIGN_OR_RETURN(shape.to_port, Port(p, base + "ToPort"));
    size_t before = out.size();
    for (int m = 1; m <= kMaxIndex; ++m) {
      const std::string range = base + "IpRanges." + std::to_string(m) + ".";
      auto cidr = p.Optional(range + "CidrIp");
      if (!cidr) break;
      RuleInput r = shape;
      r.cidr = cidr;
      r.description = p.Optional(range + "Description").value_or("");
      out.push_back(std::move(r));
    }
    // UserIdGroupPairs travel as "Groups" on the wire (the SDKs' serialized name).
    for (const char* list : {"Groups.", "UserIdGroupPairs."}) {
      for (int m = 1; m <= kMaxIndex; ++m) {
        const std::string pair = base + list + std::to_string(m) + ".";
        auto group = p.Optional(pair + "GroupId");
        if (!group) {
          if (p.Optional(pair + "GroupName"))
            return InvalidParameter("A group pair needs a GroupId (names are not supported).");
          break;
        }
        RuleInput r = shape;
        r.source_group_id = group;
        r.description = p.Optional(pair + "Description").value_or("");
        out.push_back(std::move(r));
      }
    }
    if (out.size() == before)
      return MissingParameter(base + "IpRanges or UserIdGroupPairs is required.");
  }
  if (out.empty()) return MissingParameter("The request must contain IpPermissions.");
  return out;
}

// A group by GroupId, or by GroupName in the caller's groups.
Result<std::string> GroupIdOf(SecurityGroupCommands& sg, const Ec2Call& c) {
  if (auto id = c.params.Optional("GroupId")) return *id;
  auto name = c.params.Optional("GroupName");
  if (!name) return MissingParameter("The request must contain the parameter GroupId.");
  STRATO_ASSIGN_OR_RETURN(auto groups, sg.List(c.principal, std::nullopt));
  for (const auto& g : groups)
    if (g.name == *name) return g.id;
  return NotFound("InvalidGroup.NotFound", "The security group '" + *name + "' does not exist.");
}

void WritePermissions(XmlWriter& x, const char* tag, const SecurityGroup& g, bool egress,
                      const std::string& owner) {
  x.Open(tag);
  for (const auto& r : g.rules) {
    if (r.egress != egress) continue;
    x.Open("item");
    x.Leaf("ipProtocol", r.protocol == "all" ? "-1" : r.protocol);
    if (r.from_port >= 0) {
      x.Leaf("fromPort", r.from_port);
      x.Leaf("toPort", r.to_port);
    }
    x.Open("groups");
    if (!r.source_group_id.empty()) {
      x.Open("item");
      x.Leaf("groupId", r.source_group_id);
      x.Leaf("userId", owner);
      x.Close();
    }
    x.Close();
    x.Open("ipRanges");
    if (!r.cidr.empty()) {
      x.Open("item");
      x.Leaf("cidrIp", r.cidr);
      if (!r.description.empty()) x.Leaf("description", r.description);
      x.Close();
    }
    x.Close();
    x.Empty("ipv6Ranges");
    x.Empty("prefixListIds");
    x.Close();
  }
  x.Close();
}

void RegisterRuleAction(Ec2Api& api, const char* action, bool egress, bool add) {
  const Ec2Deps* d = &api.deps();
  api.Register(action, kRuleParams, [d, egress, add](const Ec2Call& c, XmlWriter& x) {
    SecurityGroupCommands sg(*d->env);
    STRATO_ASSIGN_OR_RETURN(auto id, GroupIdOf(sg, c));
    STRATO_ASSIGN_OR_RETURN(auto rules, ParseRules(c.params));
    STRATO_RETURN_IF_ERROR((add ? sg.Authorize(c.principal, id, egress, rules)
                                : sg.Revoke(c.principal, id, egress, rules))
                               .status());
    x.Leaf("return", true);
    return OkStatus();
  });
}

}  // namespace

void RegisterSecurityGroupActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("CreateSecurityGroup",
               {"GroupName", "GroupDescription", "VpcId", "TagSpecification.#.ResourceType",
                "TagSpecification.#.Tag.#.Key", "TagSpecification.#.Tag.#.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 CreateSecurityGroupInput in;
                 STRATO_ASSIGN_OR_RETURN(in.name, c.params.Required("GroupName"));
                 STRATO_ASSIGN_OR_RETURN(in.description, c.params.Required("GroupDescription"));
                 in.vpc_id = c.params.Optional("VpcId");
                 STRATO_ASSIGN_OR_RETURN(
                     in.tags, TagsFor(c.params, "security-group", "CreateSecurityGroup"));
                 STRATO_ASSIGN_OR_RETURN(auto g,
                                         SecurityGroupCommands(*d->env).Create(c.principal, in));
                 x.Leaf("return", true);
                 x.Leaf("groupId", g.id);
                 WriteTagSet(x, g.tags);
                 return OkStatus();
               });

  api.Register(
      "DescribeSecurityGroups",
      {"GroupId.#", "GroupName.#", "Filter.#.Name", "Filter.#.Value.#", "MaxResults", "NextToken"},
      [d](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("GroupId"));
        STRATO_ASSIGN_OR_RETURN(auto names, c.params.List("GroupName"));
        STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
        STRATO_RETURN_IF_ERROR(CheckFilterNames(
            filters, {"vpc-id", "group-name", "group-id", "description", "owner-id"}));
        SecurityGroupCommands sg(*d->env);
        STRATO_ASSIGN_OR_RETURN(auto groups, sg.List(c.principal, std::nullopt));
        auto has = [](const std::vector<std::string>& v, const std::string& s) {
          return v.empty() || std::find(v.begin(), v.end(), s) != v.end();
        };
        for (const auto& id : ids) {
          if (std::none_of(groups.begin(), groups.end(),
                           [&](const SecurityGroup& g) { return g.id == id; }))
            return NotFound("InvalidGroup.NotFound",
                            "The security group '" + id + "' does not exist.");
        }
        x.Open("securityGroupInfo");
        for (const auto& g : groups) {
          const FilterFields fields = {{"vpc-id", {g.vpc_id}},
                                       {"group-name", {g.name}},
                                       {"group-id", {g.id}},
                                       {"description", {g.description}},
                                       {"owner-id", {g.tenant_id}}};
          if (!has(ids, g.id) || !has(names, g.name) || !MatchesAll(filters, fields, g.tags))
            continue;
          x.Open("item");
          x.Leaf("ownerId", c.principal.tenant_id);
          x.Leaf("groupId", g.id);
          x.Leaf("groupName", g.name);
          x.Leaf("groupDescription", g.description);
          x.Leaf("vpcId", g.vpc_id);
          WritePermissions(x, "ipPermissions", g, false, c.principal.tenant_id);
          WritePermissions(x, "ipPermissionsEgress", g, true, c.principal.tenant_id);
          WriteTagSet(x, g.tags);
          x.Close();
        }
        x.Close();
        return OkStatus();
      });

  api.Register("DeleteSecurityGroup", {"GroupId", "GroupName"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 SecurityGroupCommands sg(*d->env);
                 STRATO_ASSIGN_OR_RETURN(auto id, GroupIdOf(sg, c));
                 STRATO_RETURN_IF_ERROR(sg.Delete(c.principal, id));
                 x.Leaf("return", true);
                 x.Leaf("groupId", id);
                 return OkStatus();
               });

  RegisterRuleAction(api, "AuthorizeSecurityGroupIngress", false, true);
  RegisterRuleAction(api, "AuthorizeSecurityGroupEgress", true, true);
  RegisterRuleAction(api, "RevokeSecurityGroupIngress", false, false);
  RegisterRuleAction(api, "RevokeSecurityGroupEgress", true, false);
}

}  // namespace strato::api::ec2

// Elastic-IP actions: AllocateAddress, AssociateAddress, DisassociateAddress,
// ReleaseAddress, DescribeAddresses over AddressCommands.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_render.h"
#include "api/ec2/ec2_resource_filter.h"
#include "commands/address_commands.h"

namespace strato::api::ec2 {
namespace {

// An address by AllocationId, or by PublicIp in the caller's addresses.
Result<Address> AddressOf(AddressCommands& a, const Ec2Call& c) {
  if (auto id = c.params.Optional("AllocationId")) return a.Get(c.principal, *id);
  auto ip = c.params.Optional("PublicIp");
  if (!ip) return MissingParameter("The request must contain the parameter AllocationId.");
  STRATO_ASSIGN_OR_RETURN(auto all, a.List(c.principal));
  for (const auto& x : all)
    if (x.public_ip == *ip) return x;
  return NotFound("InvalidAddress.NotFound", "The address '" + *ip + "' does not exist.");
}

}  // namespace

void RegisterAddressActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("AllocateAddress",
               {"Domain", "NetworkBorderGroup", "TagSpecification.#.ResourceType",
                "TagSpecification.#.Tag.#.Key", "TagSpecification.#.Tag.#.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 auto domain = c.params.Optional("Domain").value_or("vpc");
                 if (domain != "vpc")
                   return InvalidParameter("Domain '" + domain + "' is not supported: only 'vpc'.");
                 STRATO_ASSIGN_OR_RETURN(auto tags,
                                         TagsFor(c.params, "elastic-ip", "AllocateAddress"));
                 STRATO_ASSIGN_OR_RETURN(auto a,
                                         AddressCommands(*d->env).Allocate(c.principal, tags));
                 x.Leaf("publicIp", a.public_ip);
                 x.Leaf("domain", "vpc");
                 x.Leaf("allocationId", a.id);
                 return OkStatus();
               });

  api.Register("AssociateAddress", {"AllocationId", "PublicIp", "InstanceId", "AllowReassociation"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 AddressCommands cmds(*d->env);
                 STRATO_ASSIGN_OR_RETURN(auto a, AddressOf(cmds, c));
                 STRATO_ASSIGN_OR_RETURN(auto instance, c.params.Required("InstanceId"));
                 STRATO_ASSIGN_OR_RETURN(auto allow, c.params.Bool("AllowReassociation"));
                 STRATO_ASSIGN_OR_RETURN(
                     a, cmds.Associate(c.principal, a.id, instance, allow.value_or(false)));
                 x.Leaf("return", true);
                 x.Leaf("associationId", a.association_id);
                 return OkStatus();
               });

  api.Register("DisassociateAddress", {"AssociationId", "PublicIp"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 AddressCommands cmds(*d->env);
                 std::string id;
                 if (auto assoc = c.params.Optional("AssociationId")) {
                   id = *assoc;
                 } else {
                   STRATO_ASSIGN_OR_RETURN(auto a, AddressOf(cmds, c));
                   id = a.id;
                 }
                 STRATO_RETURN_IF_ERROR(cmds.Disassociate(c.principal, id).status());
                 x.Leaf("return", true);
                 return OkStatus();
               });

  api.Register("ReleaseAddress", {"AllocationId", "PublicIp", "NetworkBorderGroup"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 AddressCommands cmds(*d->env);
                 STRATO_ASSIGN_OR_RETURN(auto a, AddressOf(cmds, c));
                 STRATO_RETURN_IF_ERROR(cmds.Release(c.principal, a.id));
                 x.Leaf("return", true);
                 return OkStatus();
               });

  api.Register(
      "DescribeAddresses", {"AllocationId.#", "PublicIp.#", "Filter.#.Name", "Filter.#.Value.#"},
      [d](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("AllocationId"));
        STRATO_ASSIGN_OR_RETURN(auto ips, c.params.List("PublicIp"));
        STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
        STRATO_RETURN_IF_ERROR(CheckFilterNames(
            filters, {"allocation-id", "public-ip", "instance-id", "association-id", "domain"}));
        STRATO_ASSIGN_OR_RETURN(auto all, AddressCommands(*d->env).List(c.principal));
        auto listed = [](const std::vector<std::string>& v, const std::string& s) {
          return v.empty() || std::find(v.begin(), v.end(), s) != v.end();
        };
        for (const auto& id : ids) {
          if (std::none_of(all.begin(), all.end(), [&](const Address& a) { return a.id == id; }))
            return NotFound("InvalidAllocationID.NotFound",
                            "The allocation ID '" + id + "' does not exist.");
        }
        x.Open("addressesSet");
        for (const auto& a : all) {
          const FilterFields fields = {{"allocation-id", {a.id}},
                                       {"public-ip", {a.public_ip}},
                                       {"instance-id", {a.instance_id}},
                                       {"association-id", {a.association_id}},
                                       {"domain", {"vpc"}}};
          if (!listed(ids, a.id) || !listed(ips, a.public_ip) || !MatchesAll(filters, fields, a.tags))
            continue;
          x.Open("item");
          x.Leaf("publicIp", a.public_ip);
          x.Leaf("allocationId", a.id);
          x.Leaf("domain", "vpc");
          if (!a.instance_id.empty()) {
            x.Leaf("instanceId", a.instance_id);
            x.Leaf("associationId", a.association_id);
          }
          WriteTagSet(x, a.tags);
          x.Close();
        }
        x.Close();
        return OkStatus();
      });
}

}  // namespace strato::api::ec2

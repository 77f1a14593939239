// CreateTags, DeleteTags, DescribeTags over ResourceCommands' tag calls.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_paging.h"
#include "commands/address_commands.h"
#include "commands/security_group_commands.h"

namespace strato::api::ec2 {
namespace {

const char* ResourceType(std::string_view id) {
  if (id.rfind("ami-", 0) == 0) return "image";
  if (id.rfind("vol-", 0) == 0) return "volume";
  if (id.rfind("snap-", 0) == 0) return "snapshot";
  if (id.rfind("vpc-", 0) == 0) return "vpc";
  if (id.rfind("subnet-", 0) == 0) return "subnet";
  if (id.rfind("sg-", 0) == 0) return "security-group";
  if (id.rfind("eipalloc-", 0) == 0) return "elastic-ip";
  return "instance";
}

template <typename T>
void AppendTagged(const std::vector<T>& items, std::vector<std::string>& ids) {
  for (const auto& item : items) {
    if (!item.tags.empty()) ids.push_back(item.id);
  }
}

// The tenant's tagged VPCs, subnets, security groups and elastic IPs.
Status AppendTaggedNetworkResources(const Ec2Deps& d, const Principal& p,
                                    std::vector<std::string>& ids) {
  STRATO_ASSIGN_OR_RETURN(auto vpcs, d.networks->ListVpcs(p));
  AppendTagged(vpcs, ids);
  STRATO_ASSIGN_OR_RETURN(auto subnets, d.networks->ListSubnets(p, std::nullopt));
  AppendTagged(subnets, ids);
  STRATO_ASSIGN_OR_RETURN(auto groups, SecurityGroupCommands(*d.env).List(p, std::nullopt));
  AppendTagged(groups, ids);
  STRATO_ASSIGN_OR_RETURN(auto addresses, AddressCommands(*d.env).List(p));
  AppendTagged(addresses, ids);
  return OkStatus();
}

Status AppendTaggedVolumesAndSnapshots(VolumeCommands& volumes, const Principal& p,
                                       std::vector<std::string>& ids) {
  STRATO_ASSIGN_OR_RETURN(
      auto vols, CollectPages<Volume>([&](const ListInput& in) { return volumes.List(p, {}, in); },
                                      std::nullopt, ""));
  AppendTagged(vols.items, ids);
  STRATO_ASSIGN_OR_RETURN(auto snaps, CollectPages<Snapshot>(
                                          [&](const ListInput& in) {
                                            return volumes.ListSnapshots(p, {}, in);
                                          },
                                          std::nullopt, ""));
  AppendTagged(snaps.items, ids);
  return OkStatus();
}

// Every taggable resource id the tenant owns: its instances and its own images.
Result<std::vector<std::string>> OwnedResourceIds(const Ec2Deps& d, const Principal& p) {
  std::vector<std::string> ids;
  ListInstancesInput in;
  in.page_size = 1000;
  while (true) {
    STRATO_ASSIGN_OR_RETURN(auto page, d.instances->List(p, in));
    for (const auto& i : page.instances) {
      if (!i.tags.empty()) ids.push_back(i.id);
    }
    if (page.next_token.empty()) break;
    in.next_token = page.next_token;
  }
  STRATO_ASSIGN_OR_RETURN(auto images, d.resources->ListImages(p));
  for (const auto& i : images) {
    if (i.tenant_id == p.tenant_id) ids.push_back(i.id);
  }
  if (d.volumes) STRATO_RETURN_IF_ERROR(AppendTaggedVolumesAndSnapshots(*d.volumes, p, ids));
  STRATO_RETURN_IF_ERROR(AppendTaggedNetworkResources(d, p, ids));
  return ids;
}

bool Accepts(const std::vector<std::string>& values, const std::string& v) {
  return values.empty() || std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

void RegisterTagActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("CreateTags", {"ResourceId.#", "Tag.#.Key", "Tag.#.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("ResourceId"));
                 STRATO_ASSIGN_OR_RETURN(auto tags, c.params.Tags("Tag"));
                 if (ids.empty()) {
                   return MissingParameter("The request must contain the parameter ResourceId.");
                 }
                 std::map<std::string, std::string> map;
                 for (const auto& t : tags) map[t.key] = t.value.value_or("");
                 STRATO_RETURN_IF_ERROR(d->resources->SetTags(c.principal, ids, map));
                 x.Leaf("return", true);
                 return OkStatus();
               });

  // Without tags every tag of the resources goes; a tag given with a value goes only while
  // it still has that value (EC2's DeleteTags semantics).
  api.Register("DeleteTags", {"ResourceId.#", "Tag.#.Key", "Tag.#.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("ResourceId"));
                 STRATO_ASSIGN_OR_RETURN(auto tags, c.params.Tags("Tag"));
                 if (ids.empty()) {
                   return MissingParameter("The request must contain the parameter ResourceId.");
                 }
                 for (const auto& id : ids) {
                   STRATO_ASSIGN_OR_RETURN(auto current, d->resources->ListTags(c.principal, id));
                   std::vector<std::string> keys;
                   for (const auto& t : current) {
                     bool named = tags.empty();
                     for (const auto& want : tags) {
                       named = named || (want.key == t.key && (!want.value || *want.value == t.value));
                     }
                     if (named) keys.push_back(t.key);
                   }
                   if (keys.empty()) continue;
                   STRATO_RETURN_IF_ERROR(d->resources->DeleteTags(c.principal, {id}, keys));
                 }
                 x.Leaf("return", true);
                 return OkStatus();
               });

  api.Register("DescribeTags", {"Filter.#.Name", "Filter.#.Value.#", "MaxResults", "NextToken"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
                 STRATO_RETURN_IF_ERROR(c.params.Int("MaxResults", 5, 1000).status());
                 std::vector<std::string> ids, keys, values, types;
                 bool by_id = false;
                 for (const auto& f : filters) {
                   if (f.name == "resource-id") {
                     by_id = true;
                     ids.insert(ids.end(), f.values.begin(), f.values.end());
                   } else if (f.name == "key") {
                     keys.insert(keys.end(), f.values.begin(), f.values.end());
                   } else if (f.name == "value") {
                     values.insert(values.end(), f.values.begin(), f.values.end());
                   } else if (f.name == "resource-type") {
                     types.insert(types.end(), f.values.begin(), f.values.end());
                   } else {
                     return InvalidParameter("The filter '" + f.name + "' is invalid.");
                   }
                 }
                 if (!by_id) {
                   STRATO_ASSIGN_OR_RETURN(ids, OwnedResourceIds(*d, c.principal));
                 }
                 x.Open("tagSet");
                 for (const auto& id : ids) {
                   if (!Accepts(types, ResourceType(id))) continue;
                   auto tags = d->resources->ListTags(c.principal, id);
                   // A resource-id filter naming nothing of the caller's selects nothing.
                   if (!tags.ok() && tags.status().http_status() == 404) continue;
                   if (!tags.ok()) return tags.status();
                   for (const auto& t : *tags) {
                     if (!Accepts(keys, t.key) || !Accepts(values, t.value)) continue;
                     x.Open("item");
                     x.Leaf("resourceId", t.resource_id);
                     x.Leaf("resourceType", ResourceType(t.resource_id));
                     x.Leaf("key", t.key);
                     x.Leaf("value", t.value);
                     x.Close();
                   }
                 }
                 x.Close();
                 return OkStatus();
               });
}

}  // namespace strato::api::ec2

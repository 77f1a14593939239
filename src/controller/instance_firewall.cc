#include "controller/instance_firewall.h"

namespace strato {

Result<const FirewallResolver::VpcView*> FirewallResolver::View(const std::string& vpc_id) {
  auto it = vpcs_.find(vpc_id);
  if (it != vpcs_.end()) return &it->second;
  VpcView v;
  SecurityGroupFilter f;
  f.vpc_id = vpc_id;
  STRATO_ASSIGN_OR_RETURN(auto groups, t_.ListSecurityGroups(Scope::System(), f));
  std::vector<std::string> ids;
  for (auto& g : groups) {
    ids.push_back(g.id);
    v.groups[g.id] = std::move(g);
  }
  if (!ids.empty()) {
    STRATO_ASSIGN_OR_RETURN(auto nics, t_.ListNetworkInterfaces({.vpc_id = vpc_id}));
    std::map<std::string, std::string> ip_of;
    for (const auto& n : nics) ip_of.emplace(n.instance_id, n.private_ip);
    STRATO_ASSIGN_OR_RETURN(auto members, t_.ListSecurityGroupMembers(ids));
    for (const auto& m : members) {
      auto ip = ip_of.find(m.instance_id);
      if (ip == ip_of.end()) continue;  // no interface: terminated
      v.member_groups[m.instance_id].push_back(m.group_id);
      v.group_ips[m.group_id].push_back(ip->second + "/32");
    }
  }
  return &vpcs_.emplace(vpc_id, std::move(v)).first->second;
}

Status FirewallResolver::LoadPublicIps() {
  if (public_loaded_) return OkStatus();
  STRATO_ASSIGN_OR_RETURN(auto addresses, t_.ListAddresses(Scope::System(), {}));
  for (const auto& a : addresses)
    if (!a.instance_id.empty()) public_ip_[a.instance_id] = a.public_ip;
  public_loaded_ = true;
  return OkStatus();
}

Status FirewallResolver::Fill(VmSpec& spec) {
  if (spec.nics.empty()) return OkStatus();
  STRATO_RETURN_IF_ERROR(LoadPublicIps());
  for (VmNic& nic : spec.nics) {
    STRATO_ASSIGN_OR_RETURN(const VpcView* v, View(nic.vpc_id));
    nic.firewall = PortFirewall{};
    auto pub = public_ip_.find(spec.instance_id);
    nic.public_ip = pub == public_ip_.end() ? "" : pub->second;
    auto groups = v->member_groups.find(spec.instance_id);
    if (groups == v->member_groups.end()) continue;
    std::set<std::pair<bool, std::string>> seen;  // the same rule from two groups: once
    for (const auto& gid : groups->second) {
      const SecurityGroup& g = v->groups.at(gid);
      for (const auto& r : g.rules) {
        FirewallRule fr{r.protocol, r.from_port, r.to_port, {}};
        if (!r.cidr.empty()) {
          fr.cidrs.push_back(r.cidr);
        } else {
          auto ips = v->group_ips.find(r.source_group_id);
          if (ips != v->group_ips.end()) fr.cidrs = ips->second;
        }
        std::string key = fr.protocol + ":" + std::to_string(fr.from_port) + "-" +
                          std::to_string(fr.to_port) + ":" + r.cidr + r.source_group_id;
        if (!seen.insert({r.egress, key}).second) continue;
        (r.egress ? nic.firewall.egress : nic.firewall.ingress).push_back(std::move(fr));
      }
    }
  }
  return OkStatus();
}

}  // namespace strato

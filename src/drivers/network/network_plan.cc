#include "drivers/network/network_plan.h"

#include <algorithm>
#include <set>

#include "common/ids.h"
#include "core/dns_names.h"
#include "drivers/network/firewall_plan.h"

namespace strato {
namespace {

constexpr size_t kDeviceHexDigits = 13;  // "b"/"t" + 13 = 14 < IFNAMSIZ

std::string Tail(const std::string& id) { return id.substr(id.size() - kDeviceHexDigits); }

bool IsMac(const std::string& m) {
  if (m.size() != 17) return false;
  for (size_t i = 0; i < m.size(); ++i) {
    if (i % 3 == 2) {
      if (m[i] != ':') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(m[i])) || std::isupper(m[i])) {
      return false;
    }
  }
  // Unicast, as a guest NIC must be.
  return (std::stoi(m.substr(0, 2), nullptr, 16) & 1) == 0;
}

bool IsHostname(const std::string& h) {
  if (h.empty() || h.size() > 63 || h.front() == '-' || h.back() == '-') return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool IsPortId(const std::string& id) {
  auto dash = id.find('-');
  return dash != std::string::npos && dash > 0 && IsResourceId(id, id.substr(0, dash));
}

Status ValidateSubnet(const SubnetSpec& s, std::set<std::string>& macs) {
  if (!IsResourceId(s.id, "subnet")) return InvalidParameter("bad subnet id '" + s.id + "'");
  STRATO_ASSIGN_OR_RETURN(auto plan, PlanSubnet(s));
  std::set<uint32_t> ips;
  for (const auto& h : s.hosts) {
    if (!IsMac(h.mac)) return InvalidParameter("bad MAC '" + h.mac + "' in " + s.id);
    if (!macs.insert(h.mac).second) return InvalidParameter("MAC " + h.mac + " used twice");
    STRATO_ASSIGN_OR_RETURN(uint32_t ip, ParseIpv4(h.ip));
    // Network, gateway and broadcast are never a guest's.
    if (!plan.cidr.Contains(ip) || ip == plan.cidr.network() || ip == plan.cidr.Host(1) ||
        ip == plan.cidr.broadcast())
      return InvalidParameter(h.ip + " is not a usable address of " + s.id);
    if (!ips.insert(ip).second) return InvalidParameter(h.ip + " assigned twice in " + s.id);
    if (!h.hostname.empty() && !IsHostname(h.hostname))
      return InvalidParameter("bad hostname '" + h.hostname + "'");
  }
  return OkStatus();
}

}  // namespace

std::string HostNetnsPrefix(const std::string& host_id) { return "strato-" + host_id + "-"; }
std::string VpcNetnsName(const std::string& host_id, const std::string& vpc_id) {
  return HostNetnsPrefix(host_id) + vpc_id;
}
std::string BridgeName(const std::string& subnet_id) { return "b" + Tail(subnet_id); }
std::string TapName(const std::string& port_id) { return "t" + Tail(port_id); }

Status ValidateHostId(const std::string& host_id) {
  bool ok = !host_id.empty() && host_id.size() <= 40 &&
            std::all_of(host_id.begin(), host_id.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
            });
  return ok ? OkStatus() : InvalidParameter("bad host id '" + host_id + "'");
}

Result<SubnetPlan> PlanSubnet(const SubnetSpec& s) {
  STRATO_ASSIGN_OR_RETURN(auto cidr, Ipv4Cidr::Parse(s.cidr));
  // Wider than the API allows users: default subnets are /13.
  if (cidr.prefix_len() < 8 || cidr.prefix_len() > 28)
    return InvalidParameter("subnet " + s.id + " CIDR " + s.cidr + " must be /8 to /28");
  return SubnetPlan{s.id, cidr, BridgeName(s.id), FormatIpv4(cidr.Host(1))};
}

Status ValidateSpec(const HostNetworkSpec& spec) {
  std::set<std::string> vpcs, macs, devices;
  for (const auto& v : spec.vpcs) {
    if (!IsResourceId(v.id, "vpc")) return InvalidParameter("bad VPC id '" + v.id + "'");
    if (!vpcs.insert(v.id).second) return InvalidParameter("VPC " + v.id + " listed twice");
    std::vector<Ipv4Cidr> cidrs;
    std::set<std::string> subnets;
    for (const auto& s : v.subnets) {
      STRATO_RETURN_IF_ERROR(ValidateSubnet(s, macs));
      auto c = *Ipv4Cidr::Parse(s.cidr);
      for (const auto& other : cidrs)
        if (other.Overlaps(c)) return InvalidParameter("subnet " + s.id + " overlaps another");
      cidrs.push_back(c);
      subnets.insert(s.id);
      if (!devices.insert(BridgeName(s.id)).second)
        return InvalidParameter("subnet " + s.id + " listed twice");
    }
    for (const auto& p : v.ports) {
      if (!IsPortId(p.id)) return InvalidParameter("bad port id '" + p.id + "'");
      if (!subnets.count(p.subnet_id))
        return InvalidParameter("port " + p.id + " is on unknown subnet " + p.subnet_id);
      if (!devices.insert(TapName(p.id)).second)
        return InvalidParameter("port " + p.id + " listed twice");
      STRATO_RETURN_IF_ERROR(ValidatePortFirewall(p));
    }
  }
  return OkStatus();
}

std::string RenderVpcRuleset(const std::vector<SubnetPlan>& subnets, const VpcSpec& vpc) {
  std::string bridges;
  for (const auto& s : subnets) bridges += (bridges.empty() ? "\"" : ", \"") + s.bridge + "\"";
  std::string s =
      "table inet strato {}\n"
      "delete table inet strato\n"
      "table inet strato {\n"
      "  chain input {\n"
      "    type filter hook input priority 0; policy drop;\n"
      "    ct state established,related accept\n"
      "    iifname \"lo\" accept\n"
      "    meta l4proto icmp accept\n"
      "    udp dport 67 accept\n"
      "    udp dport 53 accept\n"
      "    tcp dport 53 accept\n"
      // The metadata service (src/metadata) listens on 169.254.169.254:80 on lo.
      "    ip daddr 169.254.169.254 tcp dport 80 accept\n"
      "  }\n"
      "  chain forward {\n"
      "    type filter hook forward priority 0; policy drop;\n"
      "    ct state established,related accept\n"
      "    ct state invalid drop\n";
  s += RenderFirewallDispatch(vpc);
  // Routing between the VPC's own subnets, and out to the public side for guests with a
  // public address; the namespace has no other interface.
  if (!bridges.empty()) s += "    iifname { " + bridges + " } oifname { " + bridges + " } accept\n";
  s += RenderPublicForward(vpc, bridges);
  s += "  }\n" + RenderFirewallChains(vpc) + "}\n";
  return s + RenderSpoofTable(vpc) + RenderNatTable(vpc);
}

std::string RenderDhcpHosts(const SubnetSpec& s) {
  std::vector<std::string> lines;
  for (const auto& h : s.hosts)
    lines.push_back(h.mac + "," + h.ip + (h.hostname.empty() ? "" : "," + h.hostname));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::vector<std::string> DnsmasqArgs(const SubnetPlan& p, const std::string& dnsmasq,
                                     const std::string& state_prefix) {
  return {dnsmasq, "--conf-file=/dev/null", "--pid-file=" + state_prefix + ".pid",
          "--interface=" + p.bridge,
          "--bind-interfaces",  // with one interface: SO_BINDTODEVICE, one dnsmasq per bridge
          "--except-interface=lo",
          // "static": leases only for the hosts file's MACs; there is no dynamic pool.
          "--dhcp-range=" + FormatIpv4(p.cidr.network()) + ",static," +
              FormatIpv4(p.cidr.netmask()) + ",12h",
          "--dhcp-hostsfile=" + state_prefix + ".hosts",
          "--dhcp-leasefile=" + state_prefix + ".leases", "--dhcp-authoritative",
          "--dhcp-option=option:router," + p.gateway,
          "--dhcp-option=option:dns-server," + p.gateway,
          // DNS answers only from its own entries: never forwards a guest's query outside.
          "--no-resolv", "--no-hosts", "--no-poll", "--domain=" + std::string(kInternalDomain),
          "--local=/" + std::string(kInternalDomain) + "/", "--log-facility=" + state_prefix + ".log"};
}

}  // namespace strato

#include "drivers/network/firewall_plan.h"

#include <algorithm>
#include <unordered_map>

#include "common/ipv4_cidr.h"
#include "drivers/network/network_plan.h"

namespace strato {
namespace {

bool Filtered(const PortSpec& p) { return !p.ip.empty(); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

Status ValidateRule(const FirewallRule& r, const std::string& port) {
  if (r.protocol != "tcp" && r.protocol != "udp" && r.protocol != "icmp" && r.protocol != "all")
    return InvalidParameter("port " + port + ": bad protocol '" + r.protocol + "'");
  bool ported = r.protocol == "tcp" || r.protocol == "udp";
  if (ported && (r.from_port < 0 || r.to_port > 65535 || r.from_port > r.to_port))
    return InvalidParameter("port " + port + ": bad port range");
  for (const auto& c : r.cidrs) STRATO_RETURN_IF_ERROR(Ipv4Cidr::Parse(c).status());
  return OkStatus();
}

// Peer lists of more than one address become named sets, one per distinct list: a group
// named by many guests' rules is written once, not once per guest (100 guests that all
// admit the 100 members of their group would otherwise carry 10,000 addresses).
class PeerSets {
 public:
  explicit PeerSets(const std::vector<const PortSpec*>& ports) {
    std::unordered_map<std::string, std::string> by_list;  // joined list → set name
    for (const PortSpec* p : ports) {
      for (const auto* rules : {&p->firewall.ingress, &p->firewall.egress}) {
        for (const auto& r : *rules) {
          if (r.cidrs.size() < 2) continue;
          // The controller lists a group's members in one order, so equal lists are equal
          // text; a list in another order merely gets its own set.
          std::string list = Join(r.cidrs);
          auto [it, added] = by_list.emplace(list, "peers" + std::to_string(by_list.size()));
          if (added)
            declarations_ += "  set " + it->second +
                             " {\n    type ipv4_addr; flags interval; auto-merge;\n"
                             "    elements = { " +
                             list + " }\n  }\n";
          ref_[&r] = "@" + it->second;
        }
      }
    }
  }
  const std::string& Declarations() const { return declarations_; }
  // "@name", or the single address itself.
  std::string Ref(const FirewallRule& r) const {
    return r.cidrs.size() == 1 ? r.cidrs.front() : ref_.at(&r);
  }

 private:
  std::string declarations_;
  std::unordered_map<const FirewallRule*, std::string> ref_;
};

// One rule as an nft match ("" when it can match nothing).
std::string Match(const FirewallRule& r, const char* peer_field, const PeerSets& sets) {
  if (r.cidrs.empty()) return "";
  std::string m = std::string("ip ") + peer_field + " " + sets.Ref(r);
  if (r.protocol == "icmp") return m + " meta l4proto icmp";
  if (r.protocol == "all") return m;
  m += " meta l4proto " + r.protocol + " th dport ";
  m += r.from_port == r.to_port ? std::to_string(r.from_port)
                                : std::to_string(r.from_port) + "-" + std::to_string(r.to_port);
  return m;
}

std::vector<const PortSpec*> FilteredPorts(const VpcSpec& vpc) {
  std::vector<const PortSpec*> out;
  for (const auto& p : vpc.ports)
    if (Filtered(p)) out.push_back(&p);
  return out;
}

std::vector<const PortSpec*> NatPorts(const VpcSpec& vpc) {
  std::vector<const PortSpec*> out;
  for (const auto& p : vpc.ports)
    if (Filtered(p) && !p.public_ip.empty()) out.push_back(&p);
  return out;
}

std::string Replace(const std::string& table) { return table + " {}\ndelete " + table + "\n"; }

}  // namespace

Status ValidatePortFirewall(const PortSpec& p) {
  if (!Filtered(p)) return OkStatus();
  STRATO_RETURN_IF_ERROR(ParseIpv4(p.ip).status());
  if (!p.public_ip.empty()) STRATO_RETURN_IF_ERROR(ParseIpv4(p.public_ip).status());
  if (p.mac.size() != 17 || !std::all_of(p.mac.begin(), p.mac.end(), [](char c) {
        return c == ':' || std::isxdigit(static_cast<unsigned char>(c));
      }))
    return InvalidParameter("port " + p.id + ": bad MAC '" + p.mac + "'");
  for (const auto& r : p.firewall.ingress) STRATO_RETURN_IF_ERROR(ValidateRule(r, p.id));
  for (const auto& r : p.firewall.egress) STRATO_RETURN_IF_ERROR(ValidateRule(r, p.id));
  return OkStatus();
}

bool HasPublicAddresses(const VpcSpec& vpc) { return !NatPorts(vpc).empty(); }

std::string RenderFirewallDispatch(const VpcSpec& vpc) {
  std::vector<std::string> egress, ingress;
  for (const PortSpec* p : FilteredPorts(vpc)) {
    egress.push_back(p->ip + " : jump e" + TapName(p->id));
    ingress.push_back(p->ip + " : jump i" + TapName(p->id));
  }
  if (egress.empty()) return "";
  return "    ip saddr vmap { " + Join(egress) + " }\n    ip daddr vmap { " + Join(ingress) +
         " }\n";
}

std::string RenderFirewallChains(const VpcSpec& vpc) {
  const auto ports = FilteredPorts(vpc);
  const PeerSets sets(ports);
  std::string s = sets.Declarations();
  for (const PortSpec* p : ports) {
    s += "  chain e" + TapName(p->id) + " {\n";
    for (const auto& r : p->firewall.egress) {
      std::string m = Match(r, "daddr", sets);
      if (!m.empty()) s += "    " + m + " return\n";
    }
    s += "    drop\n  }\n  chain i" + TapName(p->id) + " {\n";
    for (const auto& r : p->firewall.ingress) {
      std::string m = Match(r, "saddr", sets);
      if (!m.empty()) s += "    " + m + " accept\n";
    }
    s += "    drop\n  }\n";
  }
  return s;
}

std::string RenderPublicForward(const VpcSpec& vpc, const std::string& bridges) {
  std::vector<std::string> ips;
  for (const PortSpec* p : NatPorts(vpc)) ips.push_back(p->ip);
  if (ips.empty() || bridges.empty()) return "";
  return "    iifname { " + bridges + " } oifname \"" + kPublicVeth + "\" ip saddr { " + Join(ips) +
         " } accept\n";
}

std::string RenderSpoofTable(const VpcSpec& vpc) {
  std::string s = Replace("table bridge strato_spoof");
  auto ports = FilteredPorts(vpc);
  if (ports.empty()) return s;
  std::vector<std::string> dispatch;
  for (const PortSpec* p : ports)
    dispatch.push_back("\"" + TapName(p->id) + "\" : jump s" + TapName(p->id));
  // The bridges answer ARP for their whole subnet (guests talk through the namespace);
  // answers for addresses nobody has are dropped, so no guest learns a phantom neighbour.
  std::vector<std::string> present;
  for (const auto& sub : vpc.subnets) {
    auto plan = PlanSubnet(sub);
    if (plan.ok()) present.push_back(plan->gateway);
    for (const auto& h : sub.hosts) present.push_back(h.ip);
  }
  for (const PortSpec* p : ports) present.push_back(p->ip);
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  s += "table bridge strato_spoof {\n"
       "  chain prerouting {\n"
       "    type filter hook prerouting priority -300; policy accept;\n"
       "    iifname vmap { " +
       Join(dispatch) +
       " }\n  }\n"
       "  chain output {\n"
       "    type filter hook output priority 0; policy accept;\n"
       "    arp operation reply arp saddr ip != { " +
       Join(present) + " } drop\n  }\n";
  for (const PortSpec* p : ports) {
    s += "  chain s" + TapName(p->id) +
         " {\n"
         "    ether saddr != " +
         p->mac +
         " drop\n"
         "    ether type != { ip, arp } drop\n"
         "    arp saddr ether != " +
         p->mac +
         " drop\n"
         "    arp saddr ip != " +
         p->ip +
         " drop\n"
         // DHCP before the guest has its address.
         "    ip saddr 0.0.0.0 udp sport 68 udp dport 67 return\n"
         "    ether type ip ip saddr != " +
         p->ip + " drop\n  }\n";
  }
  return s + "}\n";
}

std::string RenderNatTable(const VpcSpec& vpc) {
  std::string s = Replace("table ip strato_nat");
  auto ports = NatPorts(vpc);
  if (ports.empty()) return s;
  std::vector<std::string> in, out;
  for (const PortSpec* p : ports) {
    in.push_back(p->public_ip + " : " + p->ip);
    out.push_back(p->ip + " : " + p->public_ip);
  }
  return s +
         "table ip strato_nat {\n"
         "  chain prerouting {\n"
         "    type nat hook prerouting priority -100; policy accept;\n"
         "    iifname \"" +
         kPublicVeth + "\" dnat to ip daddr map { " + Join(in) +
         " }\n  }\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority 100; policy accept;\n"
         "    oifname \"" +
         kPublicVeth + "\" snat to ip saddr map { " + Join(out) + " }\n  }\n}\n";
}

}  // namespace strato

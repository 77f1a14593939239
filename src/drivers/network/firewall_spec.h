#pragma once
// What a host enforces for one guest NIC: its security groups' rules resolved to plain
// CIDRs (a peer group becomes its members' addresses), and its 1:1 public address.
// Produced by the controller (controller/instance_firewall.h), carried in VmNic to the
// host agent, rendered to nftables by the network driver (firewall_plan.h).

#include <string>
#include <vector>

namespace strato {

struct FirewallRule {
  std::string protocol;  // "tcp" | "udp" | "icmp" | "all"
  int from_port = -1;    // tcp/udp only
  int to_port = -1;
  std::vector<std::string> cidrs;  // peers; a rule with none matches nothing
  bool operator==(const FirewallRule&) const = default;
};

struct PortFirewall {
  std::vector<FirewallRule> ingress;  // what may open a connection to the NIC
  std::vector<FirewallRule> egress;   // what the NIC may open
  bool operator==(const PortFirewall&) const = default;
};

}  // namespace strato

#pragma once
// Pure functions of the network driver: validating a desired spec, naming what it owns,
// and rendering nftables scripts and dnsmasq configuration. No OS access, so every rule
// about names and configuration is unit-tested here.

#include <string>
#include <vector>

#include "common/ipv4_cidr.h"
#include "common/status.h"
#include "drivers/network/network_driver.h"

namespace strato {

// Everything derived from a validated SubnetSpec.
struct SubnetPlan {
  std::string id;
  Ipv4Cidr cidr{0, 32};
  std::string bridge;   // "b" + 13 hex digits
  std::string gateway;  // first host
};

// "strato-<host>-": the prefix of every namespace a host owns.
std::string HostNetnsPrefix(const std::string& host_id);
std::string VpcNetnsName(const std::string& host_id, const std::string& vpc_id);
std::string BridgeName(const std::string& subnet_id);
std::string TapName(const std::string& port_id);

// Checks the host id is usable in namespace names: 1-40 of [A-Za-z0-9-].
Status ValidateHostId(const std::string& host_id);
// Checks ids, CIDRs (/8-/28, non-overlapping within a VPC), addresses inside their
// subnet and not reserved, MACs well formed and unique, ports on known subnets, and no
// two devices sharing a name. InvalidParameterValue naming the offending item.
Status ValidateSpec(const HostNetworkSpec& spec);

Result<SubnetPlan> PlanSubnet(const SubnetSpec& s);

// The whole "inet strato" table for one VPC namespace, as one script that replaces any
// previous version atomically (create-if-missing, delete, recreate in one batch). With
// `vpc`, its ports' security groups and the public side (firewall_plan.h) too, along
// with the anti-spoofing and NAT tables: one batch, never half applied.
std::string RenderVpcRuleset(const std::vector<SubnetPlan>& subnets, const VpcSpec& vpc = {});

// dnsmasq --dhcp-hostsfile content: one "mac,ip[,hostname]" line per host, sorted.
std::string RenderDhcpHosts(const SubnetSpec& s);

// dnsmasq argv for one subnet (without the "ip netns exec" prefix).
std::vector<std::string> DnsmasqArgs(const SubnetPlan& p, const std::string& dnsmasq,
                                     const std::string& state_prefix);

}  // namespace strato

#pragma once
// Pure rendering of security groups, anti-spoofing and 1:1 NAT into nftables text for one
// VPC namespace. No OS access; unit-tested in firewall_plan_test.cc.
//
// How guests are filtered (docs/network.md): every tap is an *isolated* bridge port and
// the bridge answers ARP for the whole subnet (proxy_arp_pvlan), so even two guests of
// one subnet talk through the namespace's routing, where `inet` conntrack sees every
// packet. The forward chain then runs, for a new connection, the sender's egress chain
// ("e" + tap: allowed → return, else drop) and the receiver's ingress chain ("i" + tap:
// allowed → accept, else drop). Replies pass as established. Because the bridge family
// has no conntrack here, anti-spoofing there is stateless: a tap may only send from its
// own MAC and address (ARP included; DHCP from 0.0.0.0 allowed).

#include <string>

#include "common/status.h"
#include "drivers/network/network_driver.h"

namespace strato {

// The name of the VPC-side end of the public veth pair.
inline constexpr char kPublicVeth[] = "pub";

// Checks what is rendered into nft text: addresses, protocols, port ranges, CIDRs.
Status ValidatePortFirewall(const PortSpec& p);

// Lines inside the inet forward chain, after the conntrack rules: the per-guest dispatch.
std::string RenderFirewallDispatch(const VpcSpec& vpc);
// The per-guest chains, inside table inet strato.
std::string RenderFirewallChains(const VpcSpec& vpc);
// Lines inside the inet forward chain letting NAT'd guests out to the public veth.
std::string RenderPublicForward(const VpcSpec& vpc, const std::string& bridges);
// Whole tables, each replacing its previous version atomically (as part of one batch):
// "bridge strato_spoof" and "ip strato_nat" (empty tables are removed).
std::string RenderSpoofTable(const VpcSpec& vpc);
std::string RenderNatTable(const VpcSpec& vpc);

bool HasPublicAddresses(const VpcSpec& vpc);

}  // namespace strato

#include "drivers/network/firewall_plan.h"

#include <gtest/gtest.h>

#include "drivers/network/network_plan.h"

namespace strato {
namespace {

constexpr char kVpc[] = "vpc-00000000000000001";
constexpr char kSubnet[] = "subnet-00000000000000001";

PortSpec WebPort() {
  PortSpec p{"i-000000000000000a1", kSubnet, "02:00:00:00:00:01", "10.0.1.5", "", {}};
  p.firewall.ingress.push_back({"tcp", 80, 80, {"0.0.0.0/0"}});
  p.firewall.ingress.push_back({"all", -1, -1, {"10.0.1.6/32", "10.0.1.7/32"}});
  p.firewall.ingress.push_back({"udp", 53, 53, {}});  // a peer group with no members
  p.firewall.egress.push_back({"all", -1, -1, {"0.0.0.0/0"}});
  return p;
}

VpcSpec Vpc(std::vector<PortSpec> ports) {
  return VpcSpec{kVpc, {SubnetSpec{kSubnet, "10.0.1.0/24", {}}}, std::move(ports)};
}

TEST(FirewallPlan, EachGuestGetsAnEgressAndAnIngressChain) {
  VpcSpec vpc = Vpc({WebPort()});
  std::string tap = TapName("i-000000000000000a1");
  EXPECT_EQ(RenderFirewallDispatch(vpc), "    ip saddr vmap { 10.0.1.5 : jump e" + tap +
                                             " }\n    ip daddr vmap { 10.0.1.5 : jump i" + tap +
                                             " }\n");
  std::string chains = RenderFirewallChains(vpc);
  EXPECT_NE(chains.find("chain e" + tap + " {\n    ip daddr 0.0.0.0/0 return\n    drop\n"),
            std::string::npos);
  EXPECT_NE(chains.find("ip saddr 0.0.0.0/0 meta l4proto tcp th dport 80 accept"),
            std::string::npos);
  // A peer group's members form a named set, referenced by the rule.
  EXPECT_NE(chains.find("set peers0 {\n    type ipv4_addr; flags interval; auto-merge;\n"
                        "    elements = { 10.0.1.6/32, 10.0.1.7/32 }"),
            std::string::npos);
  EXPECT_NE(chains.find("ip saddr @peers0 accept"), std::string::npos);
  // A rule with no peers matches nothing, so it is not rendered at all.
  EXPECT_EQ(chains.find("dport 53"), std::string::npos);
}

TEST(FirewallPlan, PortRangesAndIcmp) {
  PortSpec p = WebPort();
  p.firewall.ingress = {{"udp", 1000, 2000, {"10.0.0.0/8"}}, {"icmp", -1, -1, {"10.0.0.0/8"}}};
  std::string chains = RenderFirewallChains(Vpc({p}));
  EXPECT_NE(chains.find("meta l4proto udp th dport 1000-2000 accept"), std::string::npos);
  EXPECT_NE(chains.find("ip saddr 10.0.0.0/8 meta l4proto icmp accept"), std::string::npos);
}

TEST(FirewallPlan, UnfilteredPortsAndEmptyVpcsRenderOnlyTheReplacement) {
  VpcSpec vpc = Vpc({PortSpec{"i-000000000000000a1", kSubnet}});
  EXPECT_EQ(RenderFirewallDispatch(vpc), "");
  EXPECT_EQ(RenderSpoofTable(vpc),
            "table bridge strato_spoof {}\ndelete table bridge strato_spoof\n");
  EXPECT_EQ(RenderNatTable(vpc), "table ip strato_nat {}\ndelete table ip strato_nat\n");
}

TEST(FirewallPlan, OnePeerListIsOneSetHoweverManyGuestsNameIt) {
  std::vector<PortSpec> ports;
  for (int k = 0; k < 3; ++k) {
    PortSpec p = WebPort();
    p.id = "i-00000000000000" + std::to_string(100 + k);
    p.ip = "10.0.1." + std::to_string(10 + k);
    p.firewall.ingress[1].cidrs = {"10.0.1.6/32", "10.0.1.7/32"};
    ports.push_back(p);
  }
  std::string chains = RenderFirewallChains(Vpc(ports));
  EXPECT_NE(chains.find("set peers0"), std::string::npos);
  EXPECT_EQ(chains.find("set peers1"), std::string::npos);
}

TEST(FirewallPlan, AntiSpoofingPinsMacAndAddress) {
  std::string s = RenderSpoofTable(Vpc({WebPort()}));
  EXPECT_NE(s.find("ether saddr != 02:00:00:00:00:01 drop"), std::string::npos);
  EXPECT_NE(s.find("arp saddr ip != 10.0.1.5 drop"), std::string::npos);
  EXPECT_NE(s.find("ether type ip ip saddr != 10.0.1.5 drop"), std::string::npos);
  EXPECT_NE(s.find("ip saddr 0.0.0.0 udp sport 68 udp dport 67 return"), std::string::npos);
  // Proxied ARP answers only for the gateway and present guests.
  EXPECT_NE(s.find("arp operation reply arp saddr ip != { 10.0.1.1, 10.0.1.5 } drop"),
            std::string::npos);
}

TEST(FirewallPlan, PublicAddressesAreOneToOneNat) {
  PortSpec p = WebPort();
  p.public_ip = "198.51.100.10";
  VpcSpec vpc =
      Vpc({p, PortSpec{"i-000000000000000a2", kSubnet, "02:00:00:00:00:02", "10.0.1.9", "", {}}});
  EXPECT_TRUE(HasPublicAddresses(vpc));
  std::string nat = RenderNatTable(vpc);
  EXPECT_NE(nat.find("dnat to ip daddr map { 198.51.100.10 : 10.0.1.5 }"), std::string::npos);
  EXPECT_NE(nat.find("snat to ip saddr map { 10.0.1.5 : 198.51.100.10 }"), std::string::npos);
  // Only the guest with a public address may leave through the public side.
  EXPECT_EQ(RenderPublicForward(vpc, "\"b1\""),
            "    iifname { \"b1\" } oifname \"pub\" ip saddr { 10.0.1.5 } accept\n");
  EXPECT_FALSE(HasPublicAddresses(Vpc({WebPort()})));
}

TEST(FirewallPlan, ValidationRefusesWhatWouldBeInjectedIntoNft) {
  PortSpec p = WebPort();
  EXPECT_TRUE(ValidatePortFirewall(p).ok());
  PortSpec bad = p;
  bad.firewall.ingress[0].protocol = "tcp; flush ruleset";
  EXPECT_FALSE(ValidatePortFirewall(bad).ok());
  bad = p;
  bad.firewall.ingress[0].cidrs = {"0.0.0.0/0 } accept"};
  EXPECT_FALSE(ValidatePortFirewall(bad).ok());
  bad = p;
  bad.firewall.ingress[0].from_port = 90;  // 90-80
  EXPECT_FALSE(ValidatePortFirewall(bad).ok());
  bad = p;
  bad.ip = "10.0.1.5 drop";
  EXPECT_FALSE(ValidatePortFirewall(bad).ok());
  bad = p;
  bad.mac = "02:00:00:00:00:0\"";
  EXPECT_FALSE(ValidatePortFirewall(bad).ok());
}

TEST(FirewallPlan, TheVpcRulesetCarriesEverythingInOneBatch) {
  auto plan = *PlanSubnet(SubnetSpec{kSubnet, "10.0.1.0/24", {}});
  PortSpec p = WebPort();
  p.public_ip = "198.51.100.10";
  std::string r = RenderVpcRuleset({plan}, Vpc({p}));
  EXPECT_EQ(r.find("table inet strato {}\ndelete table inet strato\n"), 0u);
  EXPECT_NE(r.find("ct state established,related accept"), std::string::npos);
  EXPECT_NE(r.find("table bridge strato_spoof {\n"), std::string::npos);
  EXPECT_NE(r.find("table ip strato_nat {\n"), std::string::npos);
  EXPECT_TRUE(ValidateSpec(HostNetworkSpec{{Vpc({p})}}).ok());
}

}  // namespace
}  // namespace strato

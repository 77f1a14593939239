#include "agent/firewall_messages.h"

#include <gtest/gtest.h>

#include "agent/agent_messages.h"

namespace strato {
namespace {

TEST(FirewallMessages, VmSpecCarriesTheNicFirewallAndPublicAddress) {
  VmSpec spec{"i-00000000000000001", 1, 512, "q35", "ami-00000000000000001"};
  VmNic nic{"eni-00000000000000001", "vpc-00000000000000001", "subnet-00000000000000001",
            "10.0.1.0/24",           "02:00:00:00:00:01",     "10.0.1.5"};
  nic.public_ip = "198.51.100.10";
  nic.firewall.ingress.push_back({"tcp", 22, 22, {"0.0.0.0/0"}});
  nic.firewall.egress.push_back({"all", -1, -1, {"10.0.1.6/32", "10.0.1.7/32"}});
  spec.nics.push_back(nic);
  auto back = VmSpecFromJson(VmSpecToJson(spec));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->nics.size(), 1u);
  EXPECT_EQ(back->nics[0].public_ip, "198.51.100.10");
  EXPECT_EQ(back->nics[0].firewall, nic.firewall);
}

nlohmann::json OneNicSpecJson() {
  VmSpec spec{"i-00000000000000001", 1, 512, "q35", "ami-1"};
  spec.nics.push_back(
      VmNic{"eni-1", "vpc-1", "subnet-1", "10.0.1.0/24", "02:00:00:00:00:01", "10.0.1.5"});
  return VmSpecToJson(spec);
}

TEST(FirewallMessages, ASpecWithoutFirewallReadsAsDenyAll) {
  // Specs from before security groups: no rules, so nothing new gets in or out.
  nlohmann::json j = OneNicSpecJson();
  j["nics"][0].erase("firewall");
  j["nics"][0].erase("public_ip");
  auto back = VmSpecFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->nics[0].firewall.ingress.empty());
  EXPECT_TRUE(back->nics[0].firewall.egress.empty());
  EXPECT_EQ(back->nics[0].public_ip, "");
}

TEST(FirewallMessages, AMalformedFirewallIsABadSpec) {
  nlohmann::json j = OneNicSpecJson();
  j["nics"][0]["firewall"] = {{"ingress", {{{"protocol", 6}}}},
                              {"egress", nlohmann::json::array()}};
  EXPECT_FALSE(VmSpecFromJson(j).ok());
}

}  // namespace
}  // namespace strato

#include "drivers/network/network_plan.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

const std::string kVpc = "vpc-0123456789abcdef0";
const std::string kSubnet = "subnet-00000000000000001";
const std::string kSubnet2 = "subnet-00000000000000002";
const std::string kInstance = "i-0aaaaaaaaaaaaaaa1";

HostNetworkSpec OneVpc() {
  return {
      {VpcSpec{kVpc,
               {SubnetSpec{kSubnet, "10.0.1.0/24", {{"52:54:00:00:00:01", "10.0.1.10", "web"}}}},
               {PortSpec{kInstance, kSubnet}}}}};
}

TEST(NetworkPlan, NamesFitInInterfaceNames) {
  EXPECT_EQ(BridgeName(kSubnet), "b0000000000001");
  EXPECT_EQ(TapName(kInstance), "taaaaaaaaaaaa1");
  EXPECT_LT(BridgeName(kSubnet).size(), 16u);
  EXPECT_EQ(VpcNetnsName("h-1", kVpc), "strato-h-1-" + kVpc);
}

TEST(NetworkPlan, AcceptsAGoodSpec) { EXPECT_TRUE(ValidateSpec(OneVpc()).ok()); }

TEST(NetworkPlan, RejectsBadSpecs) {
  auto expect_bad = [](HostNetworkSpec s, const char* why) {
    Status st = ValidateSpec(s);
    EXPECT_FALSE(st.ok()) << why;
    EXPECT_EQ(st.code(), "InvalidParameterValue") << why;
  };
  auto s = OneVpc();
  s.vpcs[0].subnets[0].cidr = "10.0.0.0/7";
  expect_bad(s, "too large");
  s = OneVpc();
  s.vpcs[0].subnets[0].cidr = "10.0.1.0/29";
  expect_bad(s, "too small");
  s = OneVpc();
  s.vpcs[0].subnets[0].hosts[0].ip = "10.0.2.10";
  expect_bad(s, "address outside subnet");
  s = OneVpc();
  s.vpcs[0].subnets[0].hosts[0].ip = "10.0.1.1";
  expect_bad(s, "gateway address");
  s = OneVpc();
  s.vpcs[0].subnets[0].hosts[0].mac = "53:54:00:00:00:01";
  expect_bad(s, "multicast MAC");
  s = OneVpc();
  s.vpcs[0].subnets[0].hosts.push_back({"52:54:00:00:00:02", "10.0.1.10", ""});
  expect_bad(s, "address twice");
  s = OneVpc();
  s.vpcs[0].subnets.push_back(SubnetSpec{kSubnet2, "10.0.1.128/25", {}});
  expect_bad(s, "overlapping subnets");
  s = OneVpc();
  s.vpcs[0].ports[0].subnet_id = kSubnet2;
  expect_bad(s, "port on unknown subnet");
  s = OneVpc();
  s.vpcs[0].id = "vpc-1; rm -rf /";
  expect_bad(s, "bad id");
  s = OneVpc();
  s.vpcs[0].subnets[0].hosts[0].hostname = "a,b";
  expect_bad(s, "hostname with a comma");
}

TEST(NetworkPlan, SameCidrInTwoVpcsIsFine) {
  auto s = OneVpc();
  s.vpcs.push_back(VpcSpec{"vpc-0123456789abcdef1", {SubnetSpec{kSubnet2, "10.0.1.0/24", {}}}, {}});
  EXPECT_TRUE(ValidateSpec(s).ok());
}

TEST(NetworkPlan, RulesetReplacesTheTableAtomically) {
  auto plan = *PlanSubnet(SubnetSpec{kSubnet, "10.0.1.0/24", {}});
  EXPECT_EQ(plan.gateway, "10.0.1.1");
  std::string r = RenderVpcRuleset({plan});
  EXPECT_EQ(r.find("table inet strato {}\ndelete table inet strato\n"), 0u);
  EXPECT_NE(r.find("iifname { \"b0000000000001\" }"), std::string::npos);
}

TEST(NetworkPlan, DhcpHostsAreSortedLines) {
  SubnetSpec s{kSubnet,
               "10.0.1.0/24",
               {{"52:54:00:00:00:02", "10.0.1.11", ""}, {"52:54:00:00:00:01", "10.0.1.10", "web"}}};
  EXPECT_EQ(RenderDhcpHosts(s), "52:54:00:00:00:01,10.0.1.10,web\n52:54:00:00:00:02,10.0.1.11\n");
}

}  // namespace
}  // namespace strato

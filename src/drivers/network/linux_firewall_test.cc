// Real-kernel tests of the security-group and public-side data plane: nftables batches
// applied in a real namespace, isolated bridge ports, the public namespace and veth.
// Each test owns a random host id and removes all it created. Needs root; skipped otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/ids.h"
#include "drivers/network/firewall_plan.h"
#include "drivers/network/linux_network_driver.h"
#include "drivers/network/netns.h"
#include "drivers/network/network_plan.h"

namespace strato {
namespace {

namespace fs = std::filesystem;

class LinuxFirewallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    host_ = NewResourceId("tst");
    dir_ = fs::temp_directory_path() / ("strato-fw-" + host_);
    auto d = LinuxNetworkDriver::Create({.host_id = host_, .state_dir = dir_}, runner_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    driver_ = std::move(d).value();
    vpc_ = NewResourceId("vpc");
    subnet_ = NewResourceId("subnet");
    port_ = NewResourceId("i");
  }
  void TearDown() override {
    if (!driver_) return;
    EXPECT_TRUE(driver_->RemoveAll().ok());
    EXPECT_FALSE(fs::exists("/run/netns/" + HostNetnsPrefix(host_) + "public"));
    fs::remove_all(dir_);
  }
  std::string Sh(const std::vector<std::string>& argv) {
    auto r = runner_.Run(argv, std::chrono::seconds(30));
    return r.ok() ? r->output : r.status().ToString();
  }
  HostNetworkSpec Spec(const std::string& public_ip, int port) {
    PortSpec p{port_, subnet_, "02:00:00:00:00:0a", "10.30.1.10", public_ip, {}};
    p.firewall.ingress.push_back({"tcp", port, port, {"0.0.0.0/0"}});
    p.firewall.egress.push_back({"all", -1, -1, {"0.0.0.0/0"}});
    return {{VpcSpec{vpc_,
                     {SubnetSpec{subnet_, "10.30.1.0/24", {{"02:00:00:00:00:0a", "10.30.1.10", ""}}}},
                     {p}}}};
  }
  std::string Ns() { return VpcNetnsName(host_, vpc_); }
  std::string Ruleset() {
    auto r = NftOutputInNetns(Ns(), "list ruleset");
    return r.ok() ? *r : r.status().ToString();
  }

  LinuxCommandRunner runner_;
  std::unique_ptr<LinuxNetworkDriver> driver_;
  std::string host_, dir_, vpc_, subnet_, port_;
};

TEST_F(LinuxFirewallTest, RulesPublicSideAndIsolationAreApplied) {
  ASSERT_TRUE(driver_->Reconcile(Spec("198.51.100.10", 22)).ok());
  std::string rules = Ruleset();
  EXPECT_NE(rules.find("chain e" + TapName(port_)), std::string::npos) << rules;
  EXPECT_NE(rules.find("tcp dport 22 accept"), std::string::npos) << rules;
  EXPECT_NE(rules.find("table bridge strato_spoof"), std::string::npos) << rules;
  EXPECT_NE(rules.find("dnat to"), std::string::npos) << rules;
  std::string links = Sh({"ip", "-n", Ns(), "-d", "addr", "show"});
  EXPECT_NE(links.find("isolated on"), std::string::npos) << links;
  EXPECT_NE(links.find("198.51.100.10/32"), std::string::npos) << links;
  std::string pub = HostNetnsPrefix(host_) + "public";
  EXPECT_NE(Sh({"ip", "-n", pub, "link", "show", "master", kPublicBridge}).find("p"),
            std::string::npos);

  // A live change replaces the rules; dropping the public address removes the veth.
  ASSERT_TRUE(driver_->Reconcile(Spec("", 8080)).ok());
  rules = Ruleset();
  EXPECT_EQ(rules.find("dport 22"), std::string::npos) << rules;
  EXPECT_NE(rules.find("tcp dport 8080 accept"), std::string::npos) << rules;
  EXPECT_EQ(rules.find("table ip strato_nat"), std::string::npos) << rules;
  EXPECT_EQ(Sh({"ip", "-n", Ns(), "link", "show"}).find(kPublicVeth), std::string::npos);
}

TEST_F(LinuxFirewallTest, ReconcileRecreatesWhatWasRemoved) {
  ASSERT_TRUE(driver_->Reconcile(Spec("198.51.100.11", 22)).ok());
  ASSERT_TRUE(ApplyNftInNetns(Ns(), "delete table inet strato\ndelete table ip strato_nat\n").ok());
  Sh({"ip", "-n", Ns(), "link", "del", kPublicVeth});
  Sh({"ip", "-n", Ns(), "link", "set", "dev", TapName(port_), "type", "bridge_slave", "isolated",
      "off"});
  ASSERT_TRUE(driver_->Reconcile(Spec("198.51.100.11", 22)).ok());
  std::string rules = Ruleset();
  EXPECT_NE(rules.find("tcp dport 22 accept"), std::string::npos) << rules;
  EXPECT_NE(rules.find("dnat to"), std::string::npos) << rules;
  std::string links = Sh({"ip", "-n", Ns(), "-d", "addr", "show"});
  EXPECT_NE(links.find("isolated on"), std::string::npos) << links;
  EXPECT_NE(links.find("198.51.100.11/32"), std::string::npos) << links;
}

TEST_F(LinuxFirewallTest, AMalformedRuleChangesNothing) {
  ASSERT_TRUE(driver_->Reconcile(Spec("", 22)).ok());
  HostNetworkSpec bad = Spec("", 22);
  bad.vpcs[0].ports[0].firewall.ingress[0].cidrs = {"10.0.0.0/8 } accept; flush ruleset; {"};
  EXPECT_EQ(driver_->Reconcile(bad).code(), "InvalidParameterValue");
  EXPECT_NE(Ruleset().find("tcp dport 22 accept"), std::string::npos);
}

}  // namespace
}  // namespace strato

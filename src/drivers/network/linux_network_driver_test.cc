// Real-component tests: real namespaces, bridges, taps, dnsmasq, nftables and a real DHCP
// client (busybox udhcpc). Each test owns a random host id, so it only ever sees and
// removes its own namespaces; every namespace and process it creates is removed in
// TearDown. Needs root; skipped otherwise.
#include "drivers/network/linux_network_driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "drivers/network/firewall_plan.h"
#include "drivers/network/netns.h"
#include "drivers/network/network_plan.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
constexpr char kMac1[] = "52:54:00:00:00:0a";
constexpr char kMac2[] = "52:54:00:00:00:0b";

class LinuxNetworkDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    host_ = NewResourceId("tst");
    dir_ = fs::temp_directory_path() / ("strato-net-" + host_);
    auto d = LinuxNetworkDriver::Create({.host_id = host_, .state_dir = dir_}, runner_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    driver_ = std::move(d).value();
    vpc_ = NewResourceId("vpc");
    subnet_ = NewResourceId("subnet");
    port_ = NewResourceId("i");
  }
  void TearDown() override {
    if (!driver_) return;
    for (const auto& c : clients_) Sh({"ip", "netns", "del", c});
    EXPECT_TRUE(driver_->RemoveAll().ok());
    EXPECT_TRUE(driver_->OwnedNamespaces()->empty());
    EXPECT_FALSE(fs::exists("/run/netns/" + HostNetnsPrefix(host_) + "public"));
    fs::remove_all(dir_);
  }

  std::string Sh(const std::vector<std::string>& argv) {
    auto r = runner_.Run(argv, std::chrono::seconds(30));
    return r.ok() ? r->output : r.status().ToString();
  }
  int ShCode(const std::vector<std::string>& argv) {
    auto r = runner_.Run(argv, std::chrono::seconds(30));
    return r.ok() ? r->exit_code : -1;
  }

  HostNetworkSpec Spec(const std::string& ip = "10.20.1.10") {
    return {{VpcSpec{vpc_,
                     {SubnetSpec{subnet_, "10.20.1.0/24", {{kMac1, ip, "web"}}}},
                     {PortSpec{port_, subnet_}}}}};
  }
  std::string Ns(const std::string& vpc) { return VpcNetnsName(host_, vpc); }

  // A DHCP client in its own throwaway namespace, wired by a veth pair into `bridge`.
  // Returns what udhcpc's event script printed ("bound ip=… router=… dns=…") or "".
  std::string DhcpFrom(const std::string& ns, const std::string& bridge, const std::string& mac) {
    std::string n = std::to_string(clients_.size());
    std::string client = "strato-" + host_ + "-client" + n, peer = "vc" + n;
    clients_.push_back(client);
    std::string script = dir_ + "/event.sh";
    std::ofstream(script) << "#!/bin/sh\necho \"$1 ip=$ip router=$router dns=$dns\"\n";
    fs::permissions(script, fs::perms::owner_all);
    EXPECT_EQ(ShCode({"ip", "netns", "add", client}), 0);
    EXPECT_EQ(ShCode({"ip", "-n", client, "link", "add", "c0", "address", mac, "type", "veth",
                      "peer", "name", peer, "netns", ns}),
              0);
    EXPECT_EQ(ShCode({"ip", "-n", ns, "link", "set", peer, "master", bridge, "up"}), 0);
    EXPECT_EQ(ShCode({"ip", "-n", client, "link", "set", "c0", "up"}), 0);
    std::string out = Sh({"ip", "netns", "exec", client, "busybox", "udhcpc", "-i", "c0", "-f",
                          "-q", "-n", "-t", "4", "-T", "1", "-s", script});
    auto pos = out.find("bound ");
    return pos == std::string::npos ? "" : out.substr(pos, out.find('\n', pos) - pos);
  }

  // Interfaces of ns by name, with IPv4 addresses only.
  std::map<std::string, nlohmann::json> Links(const std::string& ns) {
    std::map<std::string, nlohmann::json> m;
    for (auto& j : nlohmann::json::parse(Sh({"ip", "-n", ns, "-j", "-d", "addr", "show"}))) {
      nlohmann::json v4 = nlohmann::json::array();
      for (auto& a : j["addr_info"])
        if (a["family"] == "inet") v4.push_back(a);
      j["addr_info"] = v4;
      m[j["ifname"]] = j;
    }
    return m;
  }

  LinuxCommandRunner runner_;
  std::string host_, dir_, vpc_, subnet_, port_;
  std::vector<std::string> clients_;
  std::unique_ptr<LinuxNetworkDriver> driver_;
};

TEST_F(LinuxNetworkDriverTest, BuildsTheVpcNamespaceIdempotently) {
  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  EXPECT_EQ(*driver_->OwnedNamespaces(), std::set<std::string>{Ns(vpc_)});
  auto links = Links(Ns(vpc_));
  auto& br = links[BridgeName(subnet_)];
  EXPECT_EQ(br["linkinfo"]["info_kind"], "bridge");
  EXPECT_EQ(br["addr_info"][0]["local"], "10.20.1.1");
  auto& tap = links[TapName(port_)];
  EXPECT_EQ(tap["linkinfo"]["info_kind"], "tun");
  EXPECT_EQ(tap["master"], BridgeName(subnet_));
  auto rules = NftOutputInNetns(Ns(vpc_), "list table inet strato");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_NE(rules->find("policy drop"), std::string::npos);
  DnsmasqSupervisor probe(runner_, "dnsmasq");
  pid_t pid = probe.RunningPid(dir_ + "/" + vpc_, subnet_);
  EXPECT_GT(pid, 0);
  // The machine's own namespace gained nothing.
  EXPECT_EQ(Sh({"ip", "link", "show", TapName(port_)}).find("state"), std::string::npos);

  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  EXPECT_EQ(probe.RunningPid(dir_ + "/" + vpc_, subnet_), pid)
      << "a no-op must not restart dnsmasq";
}

TEST_F(LinuxNetworkDriverTest, ServesStaticLeasesOnlyAndReloadsChanges) {
  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  EXPECT_EQ(DhcpFrom(Ns(vpc_), BridgeName(subnet_), kMac1),
            "bound ip=10.20.1.10 router=10.20.1.1 dns=10.20.1.1");
  EXPECT_EQ(DhcpFrom(Ns(vpc_), BridgeName(subnet_), kMac2), "") << "unknown MACs get nothing";

  DnsmasqSupervisor probe(runner_, "dnsmasq");
  pid_t pid = probe.RunningPid(dir_ + "/" + vpc_, subnet_);
  ASSERT_TRUE(driver_->Reconcile(Spec("10.20.1.77")).ok());
  EXPECT_EQ(probe.RunningPid(dir_ + "/" + vpc_, subnet_), pid) << "a change is a reload";
  EXPECT_EQ(DhcpFrom(Ns(vpc_), BridgeName(subnet_), kMac1),
            "bound ip=10.20.1.77 router=10.20.1.1 dns=10.20.1.1");
}

TEST_F(LinuxNetworkDriverTest, RestartsADeadDnsmasq) {
  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  DnsmasqSupervisor probe(runner_, "dnsmasq");
  pid_t pid = probe.RunningPid(dir_ + "/" + vpc_, subnet_);
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 1000 && probe.RunningPid(dir_ + "/" + vpc_, subnet_) != 0; ++i)
    ::usleep(1000);
  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  pid_t again = probe.RunningPid(dir_ + "/" + vpc_, subnet_);
  EXPECT_GT(again, 0);
  EXPECT_NE(again, pid);
  EXPECT_EQ(DhcpFrom(Ns(vpc_), BridgeName(subnet_), kMac1),
            "bound ip=10.20.1.10 router=10.20.1.1 dns=10.20.1.1");
}

TEST_F(LinuxNetworkDriverTest, RemovesStrays) {
  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  std::string stray_ns = Ns(NewResourceId("vpc"));
  ASSERT_EQ(ShCode({"ip", "netns", "add", stray_ns}), 0);
  ASSERT_EQ(ShCode({"ip", "-n", Ns(vpc_), "link", "add", "bstray", "type", "bridge"}), 0);
  ASSERT_EQ(
      ShCode({"ip", "-n", Ns(vpc_), "addr", "add", "10.20.1.99/24", "dev", BridgeName(subnet_)}),
      0);
  ASSERT_TRUE(ApplyNftInNetns(Ns(vpc_), "flush table inet strato").ok());

  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  EXPECT_EQ(*driver_->OwnedNamespaces(), std::set<std::string>{Ns(vpc_)});
  auto links = Links(Ns(vpc_));
  EXPECT_FALSE(links.count("bstray"));
  EXPECT_EQ(links[BridgeName(subnet_)]["addr_info"].size(), 1u);
  EXPECT_NE(NftOutputInNetns(Ns(vpc_), "list table inet strato")->find("policy drop"),
            std::string::npos);

  // A port and a subnet leaving the spec take their tap and dnsmasq with them.
  std::string subnet2 = NewResourceId("subnet");
  auto two = Spec();
  two.vpcs[0].subnets.push_back(SubnetSpec{subnet2, "10.20.2.0/24", {}});
  ASSERT_TRUE(driver_->Reconcile(two).ok());
  DnsmasqSupervisor probe(runner_, "dnsmasq");
  pid_t pid2 = probe.RunningPid(dir_ + "/" + vpc_, subnet2);
  EXPECT_GT(pid2, 0);
  auto one = Spec();
  one.vpcs[0].ports.clear();
  ASSERT_TRUE(driver_->Reconcile(one).ok());
  EXPECT_EQ(probe.RunningPid(dir_ + "/" + vpc_, subnet2), 0);
  EXPECT_FALSE(DnsmasqSupervisor::Alive(pid2));
  links = Links(Ns(vpc_));
  EXPECT_FALSE(links.count(BridgeName(subnet2)));
  EXPECT_FALSE(links.count(TapName(port_)));
}

TEST_F(LinuxNetworkDriverTest, TwoVpcsWithTheSameCidrCoexist) {
  auto spec = Spec();
  std::string vpc2 = NewResourceId("vpc"), subnet2 = NewResourceId("subnet");
  spec.vpcs.push_back(
      VpcSpec{vpc2, {SubnetSpec{subnet2, "10.20.1.0/24", {{kMac2, "10.20.1.10", ""}}}}, {}});
  ASSERT_TRUE(driver_->Reconcile(spec).ok());
  EXPECT_EQ(driver_->OwnedNamespaces()->size(), 2u);
  EXPECT_EQ(DhcpFrom(Ns(vpc_), BridgeName(subnet_), kMac1),
            "bound ip=10.20.1.10 router=10.20.1.1 dns=10.20.1.1");
  EXPECT_EQ(DhcpFrom(Ns(vpc2), BridgeName(subnet2), kMac2),
            "bound ip=10.20.1.10 router=10.20.1.1 dns=10.20.1.1");
  // Each VPC's DHCP server knows only its own guests.
  EXPECT_EQ(DhcpFrom(Ns(vpc2), BridgeName(subnet2), kMac1), "");
}

TEST_F(LinuxNetworkDriverTest, OpenTapGivesAWorkingFd) {
  ASSERT_TRUE(driver_->Reconcile(Spec()).ok());
  {
    auto fd = driver_->OpenTap(vpc_, port_);
    ASSERT_TRUE(fd.ok()) << fd.status().ToString();
    EXPECT_GE(fd->get(), 0);
    auto flags = Links(Ns(vpc_))[TapName(port_)]["flags"];
    EXPECT_NE(std::find(flags.begin(), flags.end(), "LOWER_UP"), flags.end()) << flags;
  }
  auto flags = Links(Ns(vpc_))[TapName(port_)]["flags"];
  EXPECT_EQ(std::find(flags.begin(), flags.end(), "LOWER_UP"), flags.end()) << flags;
  EXPECT_FALSE(driver_->OpenTap(vpc_, NewResourceId("i")).ok());
}

TEST_F(LinuxNetworkDriverTest, BadSpecChangesNothing) {
  auto bad = Spec();
  bad.vpcs[0].subnets[0].cidr = "10.0.0.0/7";
  Status s = driver_->Reconcile(bad);
  EXPECT_EQ(s.code(), "InvalidParameterValue");
  EXPECT_TRUE(driver_->OwnedNamespaces()->empty());
}

// ---- security groups and the public side (firewall_plan.h) ----

// One filtered guest port: tcp `port` from anywhere, all egress, optionally a public address.
HostNetworkSpec FirewalledSpec(const std::string& vpc, const std::string& subnet,
                               const std::string& port_id, const std::string& public_ip,
                               int port) {
  PortSpec p{port_id, subnet, "02:00:00:00:00:0a", "10.30.1.10", public_ip, {}};
  p.firewall.ingress.push_back({"tcp", port, port, {"0.0.0.0/0"}});
  p.firewall.egress.push_back({"all", -1, -1, {"0.0.0.0/0"}});
  return {{VpcSpec{vpc,
                   {SubnetSpec{subnet, "10.30.1.0/24", {{"02:00:00:00:00:0a", "10.30.1.10", ""}}}},
                   {p}}}};
}

std::string Ruleset(const std::string& ns) {
  auto r = NftOutputInNetns(ns, "list ruleset");
  return r.ok() ? *r : r.status().ToString();
}

TEST_F(LinuxNetworkDriverTest, FirewallRulesPublicSideAndIsolationAreApplied) {
  ASSERT_TRUE(driver_->Reconcile(FirewalledSpec(vpc_, subnet_, port_, "198.51.100.10", 22)).ok());
  std::string rules = Ruleset(Ns(vpc_));
  EXPECT_NE(rules.find("chain e" + TapName(port_)), std::string::npos) << rules;
  EXPECT_NE(rules.find("tcp dport 22 accept"), std::string::npos) << rules;
  EXPECT_NE(rules.find("table bridge strato_spoof"), std::string::npos) << rules;
  EXPECT_NE(rules.find("dnat to"), std::string::npos) << rules;
  std::string links = Sh({"ip", "-n", Ns(vpc_), "-d", "addr", "show"});
  EXPECT_NE(links.find("isolated on"), std::string::npos) << links;
  EXPECT_NE(links.find("198.51.100.10/32"), std::string::npos) << links;
  std::string pub = HostNetnsPrefix(host_) + "public";
  EXPECT_TRUE(fs::exists("/run/netns/" + pub));
  EXPECT_NE(Sh({"ip", "-n", pub, "link", "show", "master", kPublicBridge}).find("p"),
            std::string::npos);

  // A live change replaces the rules; dropping the public address removes the veth.
  ASSERT_TRUE(driver_->Reconcile(FirewalledSpec(vpc_, subnet_, port_, "", 8080)).ok());
  rules = Ruleset(Ns(vpc_));
  EXPECT_EQ(rules.find("dport 22"), std::string::npos) << rules;
  EXPECT_NE(rules.find("tcp dport 8080 accept"), std::string::npos) << rules;
  EXPECT_EQ(rules.find("table ip strato_nat"), std::string::npos) << rules;
  EXPECT_EQ(Sh({"ip", "-n", Ns(vpc_), "link", "show"}).find(kPublicVeth), std::string::npos);
}

TEST_F(LinuxNetworkDriverTest, FirewallReconcileRecreatesWhatWasRemoved) {
  ASSERT_TRUE(driver_->Reconcile(FirewalledSpec(vpc_, subnet_, port_, "198.51.100.11", 22)).ok());
  ASSERT_TRUE(ApplyNftInNetns(Ns(vpc_), "delete table inet strato\ndelete table ip strato_nat\n").ok());
  Sh({"ip", "-n", Ns(vpc_), "link", "del", kPublicVeth});
  Sh({"ip", "-n", Ns(vpc_), "link", "set", "dev", TapName(port_), "type", "bridge_slave", "isolated",
      "off"});
  ASSERT_TRUE(driver_->Reconcile(FirewalledSpec(vpc_, subnet_, port_, "198.51.100.11", 22)).ok());
  std::string rules = Ruleset(Ns(vpc_));
  EXPECT_NE(rules.find("tcp dport 22 accept"), std::string::npos) << rules;
  EXPECT_NE(rules.find("dnat to"), std::string::npos) << rules;
  std::string links = Sh({"ip", "-n", Ns(vpc_), "-d", "addr", "show"});
  EXPECT_NE(links.find("isolated on"), std::string::npos) << links;
  EXPECT_NE(links.find("198.51.100.11/32"), std::string::npos) << links;
}

TEST_F(LinuxNetworkDriverTest, FirewallAMalformedRuleChangesNothing) {
  ASSERT_TRUE(driver_->Reconcile(FirewalledSpec(vpc_, subnet_, port_, "", 22)).ok());
  HostNetworkSpec bad = FirewalledSpec(vpc_, subnet_, port_, "", 22);
  bad.vpcs[0].ports[0].firewall.ingress[0].cidrs = {"10.0.0.0/8 } accept; flush ruleset; {"};
  EXPECT_EQ(driver_->Reconcile(bad).code(), "InvalidParameterValue");
  EXPECT_NE(Ruleset(Ns(vpc_)).find("tcp dport 22 accept"), std::string::npos);
}

}  // namespace
}  // namespace strato

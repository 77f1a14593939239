// FirewallResolver over a real SQLite store: a NIC's rules are the union of its groups',
// a peer group becomes its live members' addresses, and the public address comes along.
#include "controller/instance_firewall.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

constexpr char kVpc[] = "vpc-00000000000000001";
constexpr char kSubnet[] = "subnet-00000000000000001";

class FirewallResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strato-fw-resolver-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(sqlite::SqliteStore::Open({.path = (dir_ / "strato.db").string()})).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Status AddInstance(WriteTxn& t, const std::string& id, int host_part,
                     InstanceState state = InstanceState::kRunning) {
    Instance i;
    i.id = id;
    i.tenant_id = "t-a";
    i.image_id = "ami-00000000000000001";
    i.instance_type = "t3.micro";
    i.state = state;
    STRATO_RETURN_IF_ERROR(t.InsertInstance(i));
    std::string ip = "10.0.1." + std::to_string(host_part);
    return t.InsertNetworkInterface({"eni-" + id.substr(2), "t-a", id, kVpc, kSubnet, ip,
                                     int64_t{167772416} + host_part,
                                     "02:00:00:00:00:" + std::to_string(10 + host_part), 1});
  }
  VmSpec Resolve(const std::string& id) {
    VmSpec spec{id, 1, 512, "q35", "ami-00000000000000001"};
    spec.nics.push_back(VmNic{"eni-" + id.substr(2), kVpc, kSubnet, "10.0.1.0/24", "", ""});
    EXPECT_TRUE(store_->Read([&](ReadTxn& t) { return FirewallResolver(t).Fill(spec); }).ok());
    return spec;
  }

  std::filesystem::path dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

TEST_F(FirewallResolverTest, PeerGroupsBecomeTheirLiveMembersAddresses) {
  const std::string web = "sg-0000000000000000a", app = "sg-0000000000000000b";
  const std::string a = "i-0000000000000000a", b = "i-0000000000000000b",
                    gone = "i-0000000000000000c";
  Status setup = store_->Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.InsertVpc({kVpc, "t-a", "10.0.0.0/16", false, 1}));
    STRATO_RETURN_IF_ERROR(t.InsertSubnet({kSubnet, "t-a", kVpc, "10.0.1.0/24", false, 1}));
    SecurityGroup w{web, "t-a", kVpc, "web", "", false, 1, {}};
    w.rules.push_back({"sgr-1", web, false, "tcp", 80, 80, "", app, ""});
    w.rules.push_back({"sgr-2", web, true, "all", -1, -1, "0.0.0.0/0", "", ""});
    SecurityGroup p{app, "t-a", kVpc, "app", "", false, 1, {}};
    p.rules.push_back({"sgr-3", app, false, "tcp", 22, 22, "10.9.0.0/16", "", ""});
    STRATO_RETURN_IF_ERROR(t.InsertSecurityGroup(w));
    STRATO_RETURN_IF_ERROR(t.InsertSecurityGroup(p));
    STRATO_RETURN_IF_ERROR(AddInstance(t, a, 5));
    STRATO_RETURN_IF_ERROR(AddInstance(t, b, 6));
    STRATO_RETURN_IF_ERROR(AddInstance(t, gone, 7, InstanceState::kTerminated));
    STRATO_RETURN_IF_ERROR(t.SetInstanceSecurityGroups(a, {web, app}));
    STRATO_RETURN_IF_ERROR(t.SetInstanceSecurityGroups(b, {app}));
    STRATO_RETURN_IF_ERROR(t.SetInstanceSecurityGroups(gone, {app}));
    return t.InsertAddress({"eipalloc-00000000000000001", "t-a", "198.51.100.10", 3325256714, a,
                            "eipassoc-00000000000000001", false, 1});
  });
  ASSERT_TRUE(setup.ok()) << setup.ToString();
  VmSpec spec = Resolve(a);
  const PortFirewall& fw = spec.nics[0].firewall;
  ASSERT_EQ(fw.ingress.size(), 2u);
  // web's rule admits app's live members: a and b, not the terminated one.
  EXPECT_EQ(fw.ingress[0], (FirewallRule{"tcp", 80, 80, {"10.0.1.5/32", "10.0.1.6/32"}}));
  EXPECT_EQ(fw.ingress[1], (FirewallRule{"tcp", 22, 22, {"10.9.0.0/16"}}));
  EXPECT_EQ(fw.egress, (std::vector<FirewallRule>{{"all", -1, -1, {"0.0.0.0/0"}}}));
  EXPECT_EQ(spec.nics[0].public_ip, "198.51.100.10");

  VmSpec other = Resolve(b);
  EXPECT_EQ(other.nics[0].firewall.ingress.size(), 1u);
  EXPECT_TRUE(other.nics[0].firewall.egress.empty());  // no egress rule: nothing goes out
  EXPECT_EQ(other.nics[0].public_ip, "");
}

}  // namespace
}  // namespace strato

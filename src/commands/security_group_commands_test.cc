// Security-group and elastic-IP rules over a real SQLite store: bad input is a 4xx that
// changes nothing, another tenant's resources are NotFound, live changes wake the VPC.
#include "commands/security_group_commands.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "commands/address_commands.h"
#include "commands/instance_commands.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

class SecurityGroupCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strato-sg-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(sqlite::SqliteStore::Open({.path = (dir_ / "strato.db").string()})).value();
    env_.store = store_.get();
    env_.kick = [this](std::vector<std::string> ids) {
      kicked_.insert(kicked_.end(), ids.begin(), ids.end());
    };
    ASSERT_TRUE(store_
                    ->Write([&](WriteTxn& t) -> Status {
                      STRATO_RETURN_IF_ERROR(t.InsertTenant({"t-a", "a", 1}));
                      STRATO_RETURN_IF_ERROR(t.InsertTenant({"t-b", "b", 1}));
                      Host h{.id = "h-1",
                             .name = "h1",
                             .zone = "strato-1a",
                             .driver = "sim",
                             .vcpus = 64,
                             .memory_mib = 1 << 20};
                      STRATO_RETURN_IF_ERROR(t.InsertHost(h));
                      return t.InsertImage({kImage, "t-a", "img", "", true, "available", 1});
                    })
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Instance Launch(const Principal& p, std::vector<std::string> groups = {}) {
    RunInstancesInput in;
    in.image_id = kImage;
    in.instance_type = "t3.micro";
    in.nic.security_group_ids = std::move(groups);
    auto out = InstanceCommands(env_).Run(p, in);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->front() : Instance{};
  }
  std::vector<std::string> GroupsOf(const std::string& id) { return *sg_.InstanceGroups(a_, id); }

  static constexpr char kImage[] = "ami-00000000000000001";
  std::filesystem::path dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  CommandEnv env_;
  SecurityGroupCommands sg_{env_};
  AddressCommands addresses_{env_};
  std::vector<std::string> kicked_;
  Principal a_{"t-a", "u-a", "", Role::kMember};
  Principal b_{"t-b", "u-b", "", Role::kMember};
};

RuleInput Tcp(int from, int to, std::string cidr = "0.0.0.0/0") {
  return RuleInput{"tcp", from, to, cidr, std::nullopt, ""};
}

TEST_F(SecurityGroupCommandsTest, ALaunchJoinsTheVpcDefaultGroup) {
  Instance i = Launch(a_);
  auto groups = GroupsOf(i.id);
  ASSERT_EQ(groups.size(), 1u);
  auto def = *sg_.Get(a_, groups[0]);
  EXPECT_TRUE(def.is_default);
  EXPECT_EQ(def.name, "default");
  ASSERT_EQ(def.rules.size(), 2u);
  // All egress, and ingress from the group's own members only.
  bool self_ingress = false, all_egress = false;
  for (const auto& r : def.rules) {
    if (!r.egress && r.source_group_id == def.id && r.protocol == "all") self_ingress = true;
    if (r.egress && r.cidr == "0.0.0.0/0" && r.protocol == "all") all_egress = true;
  }
  EXPECT_TRUE(self_ingress && all_egress);
  EXPECT_EQ(sg_.Delete(a_, def.id).code(), "CannotDelete");
}

TEST_F(SecurityGroupCommandsTest, BadRulesAreRefusedAndChangeNothing) {
  auto g = *sg_.Create(a_, {std::nullopt, "web", "web servers"});
  const size_t before = g.rules.size();
  EXPECT_EQ(sg_.Authorize(a_, g.id, false, {Tcp(90, 80)}).status().code(), "InvalidParameterValue");
  EXPECT_EQ(sg_.Authorize(a_, g.id, false, {Tcp(0, 70000)}).status().code(),
            "InvalidParameterValue");
  EXPECT_EQ(
      sg_.Authorize(a_, g.id, false, {RuleInput{"gre", 1, 2, "0.0.0.0/0", {}, ""}}).status().code(),
      "InvalidParameterValue");
  EXPECT_EQ(sg_.Authorize(a_, g.id, false, {Tcp(22, 22, "10.0.0.0/33")}).status().code(),
            "InvalidParameterValue");
  // One bad rule in a batch: none of the batch is applied.
  EXPECT_FALSE(sg_.Authorize(a_, g.id, false, {Tcp(22, 22), Tcp(5, 1)}).ok());
  EXPECT_EQ(sg_.Get(a_, g.id)->rules.size(), before);

  ASSERT_TRUE(sg_.Authorize(a_, g.id, false, {Tcp(22, 22)}).ok());
  EXPECT_EQ(sg_.Authorize(a_, g.id, false, {Tcp(22, 22)}).status().code(),
            "InvalidPermission.Duplicate");
  EXPECT_EQ(sg_.Revoke(a_, g.id, false, {Tcp(23, 23)}).status().code(),
            "InvalidPermission.NotFound");
  ASSERT_TRUE(sg_.Revoke(a_, g.id, false, {Tcp(22, 22)}).ok());
  EXPECT_EQ(sg_.Get(a_, g.id)->rules.size(), before);
  EXPECT_EQ(sg_.Create(a_, {std::nullopt, "web", ""}).status().code(), "InvalidGroup.Duplicate");
}

TEST_F(SecurityGroupCommandsTest, AnotherTenantsGroupIsNotFound) {
  auto g = *sg_.Create(a_, {std::nullopt, "web", ""});
  EXPECT_EQ(sg_.Get(b_, g.id).status().code(), "InvalidGroup.NotFound");
  EXPECT_EQ(sg_.Authorize(b_, g.id, false, {Tcp(22, 22)}).status().code(), "InvalidGroup.NotFound");
  EXPECT_EQ(sg_.Delete(b_, g.id).code(), "InvalidGroup.NotFound");
  RunInstancesInput in;
  in.image_id = kImage;
  in.instance_type = "t3.micro";
  in.nic.security_group_ids = {g.id};
  EXPECT_EQ(InstanceCommands(env_).Run(b_, in).status().code(), "InvalidGroup.NotFound");
  // A's group as B's rule peer: not found either.
  auto mine = *sg_.Create(b_, {std::nullopt, "mine", ""});
  EXPECT_EQ(
      sg_.Authorize(b_, mine.id, false, {RuleInput{"all", {}, {}, {}, g.id, ""}}).status().code(),
      "InvalidGroup.NotFound");
}

TEST_F(SecurityGroupCommandsTest, AtMostFiveGroupsChangeableLiveAndInUseGroupsStay) {
  std::vector<std::string> six;
  for (int k = 0; k < 6; ++k)
    six.push_back(sg_.Create(a_, {std::nullopt, "g" + std::to_string(k), ""})->id);
  RunInstancesInput in;
  in.image_id = kImage;
  in.instance_type = "t3.micro";
  in.nic.security_group_ids = six;
  EXPECT_EQ(InstanceCommands(env_).Run(a_, in).status().code(),
            "SecurityGroupsPerInstanceLimitExceeded");
  Instance i = Launch(a_, {six[0], six[1]});
  EXPECT_EQ(GroupsOf(i.id), (std::vector<std::string>{six[0], six[1]}));
  EXPECT_EQ(sg_.SetInstanceGroups(a_, i.id, six).status().code(),
            "SecurityGroupsPerInstanceLimitExceeded");
  EXPECT_EQ(GroupsOf(i.id), (std::vector<std::string>{six[0], six[1]}));
  EXPECT_EQ(sg_.Delete(a_, six[0]).code(), "DependencyViolation");

  kicked_.clear();
  ASSERT_TRUE(sg_.SetInstanceGroups(a_, i.id, {six[2]}).ok());
  EXPECT_EQ(GroupsOf(i.id), std::vector<std::string>{six[2]});
  EXPECT_NE(std::find(kicked_.begin(), kicked_.end(), i.id), kicked_.end());
  EXPECT_TRUE(sg_.Delete(a_, six[0]).ok());
  EXPECT_EQ(sg_.SetInstanceGroups(b_, i.id, {six[2]}).status().code(),
            "InvalidInstanceID.NotFound");

  // A rule change wakes the VPC's instances: the change applies live.
  kicked_.clear();
  ASSERT_TRUE(sg_.Authorize(a_, six[2], false, {Tcp(80, 80)}).ok());
  EXPECT_NE(std::find(kicked_.begin(), kicked_.end(), i.id), kicked_.end());
}

TEST_F(SecurityGroupCommandsTest, ElasticIpsAreTheTenantsAndRecordedWhenUnassociated) {
  Instance i = Launch(a_);
  auto eip = *addresses_.Allocate(a_);
  EXPECT_EQ(eip.public_ip, "198.51.100.10");
  EXPECT_EQ(addresses_.Allocate(a_)->public_ip, "198.51.100.11");
  EXPECT_EQ(addresses_.List(a_)->size(), 2u);  // recorded though not associated
  EXPECT_EQ(addresses_.Associate(b_, eip.id, i.id, false).status().code(),
            "InvalidAllocationID.NotFound");
  auto theirs = *addresses_.Allocate(b_);
  EXPECT_EQ(addresses_.Associate(b_, theirs.id, i.id, false).status().code(),
            "InvalidInstanceID.NotFound");
  EXPECT_EQ(addresses_.Associate(a_, theirs.id, i.id, false).status().code(),
            "InvalidAllocationID.NotFound");
  kicked_.clear();
  auto assoc = addresses_.Associate(a_, eip.id, i.id, false);
  ASSERT_TRUE(assoc.ok()) << assoc.status().ToString();
  EXPECT_EQ(kicked_, std::vector<std::string>{i.id});
  EXPECT_EQ(addresses_.Release(a_, eip.id).code(), "InvalidIPAddress.InUse");
  ASSERT_TRUE(addresses_.Disassociate(a_, assoc->association_id).ok());
  EXPECT_TRUE(addresses_.Release(a_, eip.id).ok());
  EXPECT_EQ(addresses_.Get(a_, eip.id).status().code(), "InvalidAllocationID.NotFound");
}

TEST_F(SecurityGroupCommandsTest, SubnetsCanMapAPublicIpOnLaunch) {
  Instance first = Launch(a_);
  const std::string subnet = first.interfaces.at(0).subnet_id;
  EXPECT_EQ(addresses_.SetMapPublicIpOnLaunch(b_, subnet, true).code(), "InvalidSubnetID.NotFound");
  ASSERT_TRUE(addresses_.SetMapPublicIpOnLaunch(a_, subnet, true).ok());
  Instance second = Launch(a_);
  auto all = *addresses_.List(a_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].instance_id, second.id);
  EXPECT_TRUE(all[0].auto_assigned);
}

}  // namespace
}  // namespace strato

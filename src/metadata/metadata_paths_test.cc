#include "metadata/metadata_paths.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "metadata/metadata_test_support.h"

namespace strato {
namespace {

using testing::SampleMetadata;

std::string Get(const InstanceMetadata& m, const std::string& path) {
  return RenderMetadataPath(m, path).value_or("<404>");
}

TEST(MetadataPathsTest, LeavesAnswerFromTheSnapshot) {
  auto m = SampleMetadata();
  EXPECT_EQ(Get(m, "/latest/meta-data/instance-id"), "i-0123456789abcdef0");
  EXPECT_EQ(Get(m, "/latest/meta-data/ami-id"), "ami-0123456789abcdef0");
  EXPECT_EQ(Get(m, "/latest/meta-data/ami-launch-index"), "0");
  m.launch_index = 2;
  EXPECT_EQ(Get(m, "/latest/meta-data/ami-launch-index"), "2");
  EXPECT_EQ(Get(m, "/latest/meta-data/instance-type"), "t3.nano");
  EXPECT_EQ(Get(m, "/latest/meta-data/local-ipv4"), "10.0.0.5");
  EXPECT_EQ(Get(m, "/latest/meta-data/mac"), "02:00:0a:00:00:05");
  EXPECT_EQ(Get(m, "/latest/meta-data/hostname"), "i-0123456789abcdef0.strato.internal");
  EXPECT_EQ(Get(m, "/latest/meta-data/local-hostname"), "i-0123456789abcdef0.strato.internal");
  EXPECT_EQ(Get(m, "/latest/meta-data/placement/availability-zone"), "strato-1a");
  EXPECT_EQ(Get(m, "/latest/meta-data/placement/region"), "strato-1");
  EXPECT_EQ(Get(m, "/latest/meta-data/security-groups"), "default");
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/root"), "/dev/vda");
  EXPECT_EQ(Get(m, "/latest/meta-data/public-keys/0/openssh-key"), m.public_key);
  EXPECT_EQ(Get(m, "/latest/meta-data/network/interfaces/macs/02:00:0a:00:00:05/subnet-id"),
            "subnet-0123456789abcdef0");
  EXPECT_EQ(Get(m, "/latest/meta-data/network/interfaces/macs/02:00:0a:00:00:05/vpc-id"),
            "vpc-0123456789abcdef0");
  EXPECT_EQ(Get(m, "/latest/user-data"), m.user_data);  // bytes as given, NUL included
}

TEST(MetadataPathsTest, DirectoriesListTheirChildren) {
  auto m = SampleMetadata();
  std::string index = Get(m, "/latest/meta-data/");
  std::set<std::string> lines;
  std::istringstream in(index);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  EXPECT_EQ(lines, (std::set<std::string>{"ami-id", "ami-launch-index", "block-device-mapping/", "hostname",
                                          "instance-id", "instance-type", "local-hostname",
                                          "local-ipv4", "mac", "network/", "placement/",
                                          "public-keys/", "security-groups"}));
  EXPECT_EQ(Get(m, "/latest/meta-data"), index);  // without the slash, the same listing
  EXPECT_EQ(Get(m, "/latest/meta-data/placement/"), "availability-zone\nregion");
  EXPECT_EQ(Get(m, "/latest/meta-data/public-keys/"), "0=mykey");
  EXPECT_EQ(Get(m, "/latest/meta-data/public-keys/0/"), "openssh-key");
  EXPECT_EQ(Get(m, "/latest/meta-data/network/interfaces/macs/"), "02:00:0a:00:00:05/");
  EXPECT_EQ(Get(m, "/latest"), "dynamic\nmeta-data\nuser-data");
}

TEST(MetadataPathsTest, AbsentEntriesAre404) {
  auto m = SampleMetadata();
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/nope"));
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/instance-idx"));
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/instance-id/"));  // a leaf, not a dir
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-dataX"));
  EXPECT_FALSE(RenderMetadataPath(m, "/other"));
  // Without a public address (no elastic IP yet) EC2 lists neither entry.
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/public-ipv4"));
  m.key_name.clear();
  m.public_key.clear();
  m.user_data.clear();
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/public-keys/"));
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/user-data"));
}

TEST(MetadataPathsTest, ExtrasFeedSecurityGroupsAndPublicAddress) {
  auto m = SampleMetadata();
  m.extras.security_groups = {"web", "ssh"};
  m.extras.public_ipv4 = "198.51.100.7";
  EXPECT_EQ(Get(m, "/latest/meta-data/security-groups"), "web\nssh");
  EXPECT_EQ(Get(m, "/latest/meta-data/public-ipv4"), "198.51.100.7");
}

TEST(MetadataPathsTest, BlockDeviceMappingListsDataVolumesAsEbsN) {
  auto m = SampleMetadata();
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/"), "ami\nroot");
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/ami"), "vda");  // no /dev/, as EC2
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/block-device-mapping/ebs1"));
  m.volume_devices = {"/dev/sdf", "/dev/xvdg"};
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/"), "ami\nebs1\nebs2\nroot");
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/ebs1"), "sdf");
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/ebs2"), "xvdg");
  EXPECT_EQ(Get(m, "/latest/meta-data/block-device-mapping/root"), "/dev/vda");
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/block-device-mapping/ebs0"));
  EXPECT_FALSE(RenderMetadataPath(m, "/latest/meta-data/block-device-mapping/ebs3"));
}

TEST(MetadataPathsTest, IdentityDocumentIsJson) {
  auto doc = nlohmann::json::parse(
      RenderMetadataPath(SampleMetadata(), "/latest/dynamic/instance-identity/document").value());
  EXPECT_EQ(doc["instanceId"], "i-0123456789abcdef0");
  EXPECT_EQ(doc["accountId"], "t-0123456789abcdef0");
  EXPECT_EQ(doc["privateIp"], "10.0.0.5");
  EXPECT_EQ(doc["region"], "strato-1");
  EXPECT_EQ(doc["availabilityZone"], "strato-1a");
  EXPECT_EQ(doc["pendingTime"], "2025-12-04T00:00:00Z");
}

TEST(MetadataPathsTest, SnapshotSurvivesJson) {
  auto m = SampleMetadata();
  m.extras.security_groups = {"sg-1"};
  auto back = InstanceMetadataFromJson(nlohmann::json::parse(InstanceMetadataToJson(m).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->user_data, m.user_data);
  EXPECT_EQ(back->interfaces.at(0).private_ip, "10.0.0.5");
  EXPECT_EQ(back->extras.security_groups, m.extras.security_groups);
  m.volume_devices = {"/dev/sdf"};
  m.launch_index = 3;
  back = InstanceMetadataFromJson(nlohmann::json::parse(InstanceMetadataToJson(m).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->volume_devices, m.volume_devices);
  EXPECT_EQ(back->launch_index, 3);
  EXPECT_FALSE(InstanceMetadataFromJson(nlohmann::json{{"instance_id", 1}}).ok());
}

}  // namespace
}  // namespace strato

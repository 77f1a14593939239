#include "api/ec2/ec2_block_device_mapping.h"

#include <gtest/gtest.h>

namespace strato::api::ec2 {
namespace {

Result<std::vector<BlockDeviceRequest>> Parse(std::string_view form) {
  auto p = Ec2Params::Parse("", form);
  if (!p.ok()) return p.status();
  return ParseBlockDeviceMappings(*p);
}

std::string CodeOf(std::string_view form) {
  auto r = Parse(form);
  return r.ok() ? "ok" : r.status().code();
}

TEST(Ec2BlockDeviceMappingTest, ReadsEveryEbsFieldInIndexOrder) {
  auto r = Parse(
      "BlockDeviceMapping.2.DeviceName=%2Fdev%2Fsdg&BlockDeviceMapping.2.Ebs.SnapshotId=snap-1"
      "&BlockDeviceMapping.2.Ebs.DeleteOnTermination=false"
      "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdf&BlockDeviceMapping.1.Ebs.VolumeSize=2"
      "&BlockDeviceMapping.1.Ebs.VolumeType=io1&BlockDeviceMapping.1.Ebs.Iops=300"
      "&BlockDeviceMapping.1.Ebs.Throughput=200&BlockDeviceMapping.1.Ebs.Encrypted=false");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const BlockDeviceRequest& f = (*r)[0];
  EXPECT_EQ(f.device, "/dev/sdf");
  EXPECT_EQ(f.volume.size_gib, 2);
  EXPECT_EQ(f.volume.volume_type, "io1");
  EXPECT_EQ(f.volume.iops, 300);
  EXPECT_EQ(f.volume.throughput_mibps, 200);
  EXPECT_FALSE(f.volume.snapshot_id);
  EXPECT_FALSE(f.delete_on_termination);
  const BlockDeviceRequest& g = (*r)[1];
  EXPECT_EQ(g.device, "/dev/sdg");
  EXPECT_EQ(g.volume.snapshot_id, "snap-1");
  EXPECT_FALSE(g.volume.size_gib);
  EXPECT_EQ(g.delete_on_termination, false);
}

TEST(Ec2BlockDeviceMappingTest, NoMappingsIsAnEmptyList) {
  auto r = Parse("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Ec2BlockDeviceMappingTest, NoDeviceOnADataDeviceSuppressesNothing) {
  auto r = Parse("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdf&BlockDeviceMapping.1.NoDevice=");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->empty());
}

TEST(Ec2BlockDeviceMappingTest, RefusesWhatIsNotOffered) {
  EXPECT_EQ(CodeOf("BlockDeviceMapping.1.Ebs.VolumeSize=1"), "MissingParameter");
  EXPECT_EQ(CodeOf("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdb"
                   "&BlockDeviceMapping.1.VirtualName=ephemeral0"),
            "Unsupported");
  EXPECT_EQ(
      CodeOf("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdf"
             "&BlockDeviceMapping.1.Ebs.VolumeSize=1&BlockDeviceMapping.1.Ebs.Encrypted=true"),
      "Unsupported");
  EXPECT_EQ(CodeOf("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdf&BlockDeviceMapping.1.NoDevice="
                   "&BlockDeviceMapping.1.Ebs.VolumeSize=1"),
            "InvalidParameterCombination");
  EXPECT_EQ(CodeOf("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1&BlockDeviceMapping.1.NoDevice="),
            "InvalidBlockDeviceMapping");
  EXPECT_EQ(CodeOf("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdf"
                   "&BlockDeviceMapping.1.Ebs.VolumeSize=big"),
            "InvalidParameterValue");
  EXPECT_EQ(CodeOf("BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsdf"
                   "&BlockDeviceMapping.1.Ebs.DeleteOnTermination=maybe"),
            "InvalidParameterValue");
  EXPECT_EQ(CodeOf("BlockDeviceMapping.x.DeviceName=%2Fdev%2Fsdf"), "InvalidParameterValue");
}

}  // namespace
}  // namespace strato::api::ec2

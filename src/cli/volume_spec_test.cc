#include "cli/volume_spec.h"

#include <gtest/gtest.h>

namespace strato::cli {
namespace {

using nlohmann::ordered_json;

TEST(VolumeSpecTest, SizeAndType) {
  auto v = ParseVolumeSpec("/dev/sdf:2:gp3");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, ordered_json::parse(R"({"device":"/dev/sdf","size_gib":2,"volume_type":"gp3"})"));
}

TEST(VolumeSpecTest, SnapshotKeepAndPerformanceInAnyOrder) {
  auto v = ParseVolumeSpec("/dev/sdg:keep:snap-0123456789abcdef0:io1:iops=3000:8");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, ordered_json::parse(R"({"device":"/dev/sdg","delete_on_termination":false,
      "snapshot_id":"snap-0123456789abcdef0","volume_type":"io1","iops":3000,"size_gib":8})"));
  v = ParseVolumeSpec("/dev/sdh:4:gp3:throughput=250");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["throughput_mibps"], 250);
}

TEST(VolumeSpecTest, MalformedArgumentsAreRefused) {
  for (const char* text :
       {"/dev/sdf", ":2", "/dev/sdf:", "/dev/sdf:2::gp3", "/dev/sdf:iops=x", "/dev/sdf:2:size=3"}) {
    auto v = ParseVolumeSpec(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().code(), "InvalidParameterValue") << text;
  }
}

TEST(VolumeSpecTest, SpecsKeepTheirOrder) {
  auto v = ParseVolumeSpecs({"/dev/sdf:1", "/dev/sdg:2"});
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[1]["device"], "/dev/sdg");
}

}  // namespace
}  // namespace strato::cli

#include "core/volume_types.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

VolumeLimits Limits(std::string_view type, int64_t gib, std::optional<int64_t> iops = {},
                    std::optional<int64_t> tput = {}) {
  auto r = ComputeVolumeLimits(type, gib, iops, tput);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : VolumeLimits{};
}

std::string Code(std::string_view type, int64_t gib, std::optional<int64_t> iops = {},
                 std::optional<int64_t> tput = {}) {
  return ComputeVolumeLimits(type, gib, iops, tput).status().code();
}

TEST(VolumeTypesTest, Gp2Is3IopsPerGibBetween100And16000WithBurstTo3000) {
  EXPECT_EQ(Limits("gp2", 1).iops, 100);
  EXPECT_EQ(Limits("gp2", 100).iops, 300);
  EXPECT_EQ(Limits("gp2", 1000).iops, 3000);
  EXPECT_EQ(Limits("gp2", 6000).iops, 16000);
  EXPECT_EQ(Limits("gp2", 16384).iops, 16000);
  auto small = Limits("gp2", 100).throttle;
  EXPECT_EQ(small.iops_total, 300);
  EXPECT_EQ(small.iops_total_max, 3000);
  EXPECT_EQ(small.iops_total_max * small.iops_total_max_length, 5400000) << "5.4 M credits";
  auto big = Limits("gp2", 2000).throttle;
  EXPECT_EQ(big.iops_total, 6000);
  EXPECT_EQ(big.iops_total_max, 0) << "no burst above the burst rate";
  EXPECT_EQ(Limits("gp2", 100).throttle.bps_total, 128 * kMiB);
  EXPECT_EQ(Limits("gp2", 500).throttle.bps_total, 250 * kMiB);
}

TEST(VolumeTypesTest, Gp3Baseline3000And125ConfigurableTo16000And1000) {
  auto d = Limits("gp3", 10);
  EXPECT_EQ(d.iops, 3000);
  EXPECT_EQ(d.throughput_mibps, 125);
  EXPECT_EQ(d.throttle.iops_total, 3000);
  EXPECT_EQ(d.throttle.bps_total, 125 * kMiB);
  EXPECT_EQ(d.throttle.iops_total_max, 0);
  auto top = Limits("gp3", 100, 16000, 1000);
  EXPECT_EQ(top.throttle.iops_total, 16000);
  EXPECT_EQ(top.throttle.bps_total, 1000 * kMiB);
  EXPECT_EQ(Code("gp3", 100, 16001), "InvalidParameterValue");
  EXPECT_EQ(Code("gp3", 100, 2999), "InvalidParameterValue");
  EXPECT_EQ(Code("gp3", 100, 16000, 1001), "InvalidParameterValue");
  EXPECT_EQ(Code("gp3", 100, 3000, 1000), "InvalidParameterValue") << "0.25 MiB/s per IOPS";
  EXPECT_EQ(Code("gp3", 8, 5000), "InvalidParameterValue") << "500 IOPS per GiB";
  EXPECT_EQ(Limits("gp3", 1).iops, 3000) << "the baseline holds for any size";
}

TEST(VolumeTypesTest, Io1ProvisionedUpTo50PerGibAndMax64000) {
  EXPECT_EQ(Limits("io1", 100, 5000).throttle.iops_total, 5000);
  EXPECT_EQ(Limits("io1", 2000, 64000).throttle.iops_total, 64000);
  EXPECT_EQ(Code("io1", 100, 5001), "InvalidParameterValue");
  EXPECT_EQ(Code("io1", 2000, 64001), "InvalidParameterValue");
  EXPECT_EQ(Code("io1", 100), "MissingParameter");
  EXPECT_EQ(Code("io1", 100, 1000, 200), "InvalidParameterValue");
  EXPECT_EQ(Limits("io1", 2000, 64000).throughput_mibps, 1000);
}

TEST(VolumeTypesTest, St1AndSc1ScalePerTibWithCaps) {
  EXPECT_EQ(Limits("st1", 1024).throttle.bps_total, 40 * kMiB);
  EXPECT_EQ(Limits("st1", 1024).throttle.bps_total_max, 250 * kMiB);
  EXPECT_EQ(Limits("st1", 16384).throttle.bps_total, 500 * kMiB);
  EXPECT_EQ(Limits("st1", 16384).throttle.bps_total_max, 0) << "baseline already at the cap";
  EXPECT_EQ(Limits("sc1", 1024).throttle.bps_total, 12 * kMiB);
  EXPECT_EQ(Limits("sc1", 1024).throttle.bps_total_max, 80 * kMiB);
  EXPECT_EQ(Limits("sc1", 16384).throttle.bps_total_max, 250 * kMiB);
  EXPECT_EQ(Code("st1", 124), "InvalidParameterValue");
  EXPECT_EQ(Code("sc1", 16385), "InvalidParameterValue");
}

TEST(VolumeTypesTest, StandardIsAbout100IopsAnd90Mibps) {
  auto s = Limits("standard", 10);
  EXPECT_EQ(s.throttle.iops_total, 100);
  EXPECT_EQ(s.throttle.bps_total, 90 * kMiB);
  EXPECT_GT(s.throttle.iops_total_max, 100);
  EXPECT_EQ(Code("standard", 1025), "InvalidParameterValue");
}

TEST(VolumeTypesTest, RefusesUnknownTypesSizesAndSettingsTheTypeDoesNotTake) {
  EXPECT_EQ(Code("gp9", 10), "InvalidParameterValue");
  EXPECT_EQ(Code("gp2", 0), "InvalidParameterValue");
  EXPECT_EQ(Code("gp2", 16385), "InvalidParameterValue");
  EXPECT_EQ(Code("gp2", 10, 3000), "InvalidParameterValue");
  EXPECT_EQ(Code("io1", 3, 100), "InvalidParameterValue");
}

}  // namespace
}  // namespace strato

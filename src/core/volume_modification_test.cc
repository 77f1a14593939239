#include "core/volume_modification.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

Volume Gp2(int64_t gib) {
  Volume v;
  v.id = "vol-0123456789abcdef0";
  v.tenant_id = "t-1";
  v.volume_type = "gp2";
  v.size_gib = v.applied_size_gib = gib;
  return v;
}

TEST(VolumeModificationTest, ATypeChangeIsCompletedAtOnceWithBothFigures) {
  Volume before = Gp2(10), after = before;
  after.volume_type = "gp3";
  after.iops = 4000;
  auto m = RecordModification(before, after, 1000);
  EXPECT_EQ(m.state, ModificationState::kCompleted);
  EXPECT_EQ(m.progress, 100);
  EXPECT_EQ((std::pair{m.start_time, m.end_time}), (std::pair<TimeMs, TimeMs>{1000, 1000}));
  EXPECT_EQ(m.volume_id, before.id);
  EXPECT_EQ(m.tenant_id, "t-1");
  EXPECT_EQ(m.original_volume_type, "gp2");
  EXPECT_EQ(m.original_iops, 100);  // gp2's floor: what it delivered
  EXPECT_EQ(m.original_throughput_mibps, DeliveredLimits(before).throughput_mibps);
  EXPECT_EQ(m.target_volume_type, "gp3");
  EXPECT_EQ(m.target_iops, 4000);
  EXPECT_EQ(m.target_throughput_mibps, 125);  // gp3's default
  EXPECT_EQ((std::pair{m.original_size_gib, m.target_size_gib}),
            (std::pair<int64_t, int64_t>{10, 10}));
}

TEST(VolumeModificationTest, AGrowIsModifyingUntilTheBlobHasTheSize) {
  Volume before = Gp2(1), after = before;
  after.size_gib = 3;
  auto m = RecordModification(before, after, 1000);
  EXPECT_EQ(m.state, ModificationState::kModifying);
  EXPECT_EQ((std::pair{m.progress, m.end_time}), (std::pair<int, TimeMs>{0, 0}));
  EXPECT_FALSE(SettleModification(m, after, 1500));  // not grown yet
  EXPECT_EQ(m.state, ModificationState::kModifying);
  after.applied_size_gib = 3;
  EXPECT_TRUE(SettleModification(m, after, 2000));
  EXPECT_EQ(m.state, ModificationState::kCompleted);
  EXPECT_EQ((std::pair{m.progress, m.end_time}), (std::pair<int, TimeMs>{100, 2000}));
  EXPECT_FALSE(SettleModification(m, after, 3000));  // settled once
  EXPECT_EQ(m.end_time, 2000);
}

TEST(VolumeModificationTest, AGrowGivenUpFailsWithTheVolumesReason) {
  Volume before = Gp2(1), after = before;
  after.size_gib = 3;
  auto m = RecordModification(before, after, 1000);
  after.size_gib = after.applied_size_gib;  // what the controller does when a grow fails
  after.state_reason = "Server.InternalError: growing the volume failed: disk full";
  EXPECT_TRUE(SettleModification(m, after, 2000));
  EXPECT_EQ(m.state, ModificationState::kFailed);
  EXPECT_EQ(m.status_message, after.state_reason);
  EXPECT_EQ(m.end_time, 2000);
}

TEST(VolumeModificationTest, StatesHaveEc2Names) {
  for (auto s : {ModificationState::kModifying, ModificationState::kOptimizing,
                 ModificationState::kCompleted, ModificationState::kFailed}) {
    EXPECT_EQ(ParseModificationState(ToString(s)), s);
  }
  EXPECT_STREQ(ToString(ModificationState::kModifying), "modifying");
  EXPECT_FALSE(ParseModificationState("done"));
}

}  // namespace
}  // namespace strato

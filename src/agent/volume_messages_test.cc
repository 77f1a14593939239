#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/agent_messages.h"
#include "agent/storage_messages.h"

namespace strato {
namespace {

TEST(VolumeMessagesTest, VmSpecCarriesVolumesToPlugAtStart) {
  VmSpec spec{"i-0123456789abcdef0", 1, 512, "q35", "ami-0123456789abcdef0"};
  spec.volumes.push_back({"vol-0123456789abcdef0", "blob-0123456789abcdef0",
                          ThrottleLimits{.iops_total = 300, .iops_total_max = 3000,
                                         .iops_total_max_length = 1800, .bps_total = 1 << 27}});
  auto back = VmSpecFromJson(VmSpecToJson(spec));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->volumes.size(), 1u);
  EXPECT_EQ(back->volumes[0].volume_id, "vol-0123456789abcdef0");
  EXPECT_EQ(back->volumes[0].blob_id, "blob-0123456789abcdef0");
  EXPECT_EQ(back->volumes[0].throttle, spec.volumes[0].throttle);
  EXPECT_FALSE(VmSpecToJson(VmSpec{}).contains("volumes")) << "old agents see no change";
}

TEST(VolumeMessagesTest, AttachMessageAndReportRoundTrip) {
  VolumeMessage m{.instance_id = "i-0123456789abcdef0", .volume_id = "vol-0123456789abcdef0",
                  .attach = true, .attachment = {"vol-0123456789abcdef0", "blob-0123456789abcdef0",
                                                 ThrottleLimits{.bps_total = 42}}};
  auto back = DecodeVolumeMessage(nlohmann::json::parse(EncodeVolumeMessage(m)));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->attach);
  EXPECT_EQ(back->attachment.throttle.bps_total, 42);
  std::string report = EncodeVolumeReport({"h-1", "i-1", "vol-1", false, false, "busy"});
  EXPECT_TRUE(IsVolumeReport(report));
  EXPECT_FALSE(IsVolumeReport(EncodeReport({"h-1", "i-1", VmPowerState::kRunning, ""})));
  auto r = DecodeVolumeReport(report);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->attached);
  EXPECT_EQ(r->error, "busy");
  EXPECT_FALSE(DecodeVolumeMessage(nlohmann::json::parse(R"({"instance_id":"i"})")).ok());
}

TEST(StorageMessagesTest, OpsAndReportsRoundTrip) {
  auto op = DecodeStorageOp(EncodeStorageOp(
      {.type = "create", .blob_id = "blob-a", .size_bytes = 7, .backing_id = "blob-b"}));
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->backing_id, "blob-b");
  EXPECT_EQ(op->size_bytes, 7);
  auto rec = DecodeStorageOp(EncodeStorageOp({.type = "reconcile", .known = {"blob-x"}}));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->known.count("blob-x"), 1u);
  EXPECT_FALSE(DecodeStorageOp(R"({"type":"format-disk"})").ok());
  EXPECT_FALSE(DecodeStorageOp("not json").ok());
  auto r = DecodeStorageReport(EncodeStorageReport({"delete", "blob-a", true, "", 0}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok);
}

}  // namespace
}  // namespace strato

#include "controller/metadata_push.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

// The snapshot lists the instance's data volumes for block-device-mapping/ebsN: in device
// order, without the root, without one being detached, without another instance's.
TEST(MetadataPushTest, SnapshotListsTheDataVolumesInDeviceOrder) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("strato-metadata-push-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = std::move(sqlite::SqliteStore::Open({.path = (dir / "db").string()})).value();
  Instance inst;
  inst.id = "i-0123456789abcdef0";
  inst.tenant_id = "t-a";
  auto volume = [&](std::string id, std::string instance_id, std::string device,
                    AttachState state) {
    Volume v{.id = std::move(id), .tenant_id = "t-a", .zone = "z", .volume_type = "gp2"};
    v.instance_id = std::move(instance_id);
    v.device = std::move(device);
    v.attach_state = state;
    return v;
  };
  ASSERT_TRUE(
      store
          ->Write([&](WriteTxn& t) -> Status {
            STRATO_RETURN_IF_ERROR(t.InsertInstance(inst));
            for (const Volume& v :
                 {volume("vol-00000000000000001", inst.id, "/dev/sdg", AttachState::kAttached),
                  volume("vol-00000000000000002", inst.id, "/dev/vda", AttachState::kAttached),
                  volume("vol-00000000000000003", inst.id, "/dev/sdf", AttachState::kAttaching),
                  volume("vol-00000000000000004", inst.id, "/dev/sdh", AttachState::kDetaching),
                  volume("vol-00000000000000005", "i-0123456789abcdef1", "/dev/sde",
                         AttachState::kAttached)}) {
              STRATO_RETURN_IF_ERROR(t.InsertVolume(v));
            }
            return OkStatus();
          })
          .ok());
  ASSERT_TRUE(
      store
          ->Read([&](ReadTxn& t) -> Status {
            auto m = LoadInstanceMetadata(t, inst, "strato-1");
            EXPECT_TRUE(m.ok()) << m.status().ToString();
            EXPECT_EQ(m->volume_devices, (std::vector<std::string>{"/dev/sdf", "/dev/sdg"}));
            return OkStatus();
          })
          .ok());
  store->Close();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strato

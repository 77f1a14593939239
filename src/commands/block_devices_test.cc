// Volumes mapped at launch, over a real SQLite store: each instance gets its own volumes,
// attached at their devices from the start; every bad mapping is a 4xx that creates nothing.
#include "commands/block_devices.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "commands/instance_commands.h"
#include "commands/volume_commands.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

constexpr char kImage[] = "ami-00000000000000001";      // no disk: the default guest
constexpr char kDiskImage[] = "ami-00000000000000002";  // a 3 GiB disk
constexpr char kSnapshot[] = "snap-00000000000000001";  // completed, of a 4 GiB volume

BlockDeviceRequest Data(std::string device, std::optional<int64_t> size,
                        std::optional<std::string> type = std::nullopt) {
  BlockDeviceRequest r;
  r.device = std::move(device);
  r.volume.size_gib = size;
  r.volume.volume_type = std::move(type);
  return r;
}

class BlockDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strato-bdm-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(sqlite::SqliteStore::Open({.path = (dir_ / "strato.db").string()})).value();
    env_.store = store_.get();
    ASSERT_TRUE(
        store_
            ->Write([&](WriteTxn& t) -> Status {
              STRATO_RETURN_IF_ERROR(t.InsertTenant({"t-a", "a", 1}));
              STRATO_RETURN_IF_ERROR(t.InsertTenant({"t-b", "b", 1}));
              STRATO_RETURN_IF_ERROR(t.InsertHost({.id = "h-1",
                                                   .name = "h1",
                                                   .zone = "strato-1a",
                                                   .driver = "sim",
                                                   .vcpus = 64,
                                                   .memory_mib = 1 << 20}));
              STRATO_RETURN_IF_ERROR(
                  t.InsertImage({kImage, "t-a", "img", "", true, "available", 1}));
              STRATO_RETURN_IF_ERROR(
                  t.InsertImage({kDiskImage, "t-a", "disk", "", true, "available", 1}));
              STRATO_RETURN_IF_ERROR(t.InsertBlob(
                  {.id = "blob-image", .size_bytes = 3 * kGiB, .state = BlobState::kReady}));
              ImageData d;
              d.image_id = kDiskImage;
              d.blob_id = "blob-image";
              d.state = ImageDataState::kAvailable;
              d.virtual_size = 3 * kGiB - 5;
              STRATO_RETURN_IF_ERROR(t.PutImageData(d));
              STRATO_RETURN_IF_ERROR(t.InsertBlob(
                  {.id = "blob-snap", .size_bytes = 4 * kGiB, .state = BlobState::kReady}));
              Snapshot n;
              n.id = kSnapshot;
              n.tenant_id = "t-a";
              n.volume_size_gib = 4;
              n.state = SnapshotState::kCompleted;
              n.blob_id = "blob-snap";
              return t.InsertSnapshot(n);
            })
            .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<std::vector<Instance>> Launch(std::vector<BlockDeviceRequest> devices, int count = 1,
                                       const std::string& image = kImage,
                                       const Principal* p = nullptr) {
    RunInstancesInput in;
    in.image_id = image;
    in.instance_type = "t3.micro";
    in.count = count;
    in.block_devices = std::move(devices);
    return instances_.Run(p ? *p : a_, in);
  }
  std::vector<Volume> Volumes() {
    std::vector<Volume> out;
    EXPECT_TRUE(store_
                    ->Read([&](ReadTxn& t) -> Status {
                      STRATO_ASSIGN_OR_RETURN(out,
                                              t.ListVolumes(Scope::System(), {}, {.limit = 100}));
                      return OkStatus();
                    })
                    .ok());
    return out;
  }
  size_t InstanceCount() {
    auto page = instances_.List(a_, {});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->instances.size() : 0;
  }
  void ExpectRefused(std::vector<BlockDeviceRequest> devices, const std::string& code,
                     const std::string& image = kImage) {
    auto r = Launch(std::move(devices), 2, image);
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_EQ(r.status().code(), code) << r.status().message();
    EXPECT_LT(r.status().http_status(), 500);
    EXPECT_EQ(InstanceCount(), 0u);
    EXPECT_TRUE(Volumes().empty());
  }

  std::filesystem::path dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  CommandEnv env_;
  InstanceCommands instances_{env_};
  VolumeCommands volumes_{env_};
  Principal a_{"t-a", "u-a", "", Role::kMember};
  Principal b_{"t-b", "u-b", "", Role::kMember};
};

TEST_F(BlockDevicesTest, EachInstanceGetsItsOwnVolumesAttachedAtTheirDevices) {
  BlockDeviceRequest kept = Data("/dev/sdg", 4, "io1");
  kept.volume.iops = 200;
  kept.delete_on_termination = false;
  auto out = Launch({Data("/dev/sdf", 2, "gp3"), kept}, 2);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 2u);
  std::set<std::string> seen;
  for (const Instance& i : *out) {
    ASSERT_EQ(i.block_devices.size(), 2u);
    EXPECT_EQ(i.block_devices[0].device, "/dev/sdf");
    EXPECT_TRUE(i.block_devices[0].delete_on_termination);
    EXPECT_EQ(i.block_devices[1].device, "/dev/sdg");
    EXPECT_FALSE(i.block_devices[1].delete_on_termination);
    for (const BlockDevice& d : i.block_devices) {
      EXPECT_TRUE(seen.insert(d.volume_id).second) << "a volume shared by two instances";
      auto v = volumes_.Get(a_, d.volume_id);
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      EXPECT_EQ(v->instance_id, i.id);
      EXPECT_EQ(v->device, d.device);
      EXPECT_EQ(v->state, VolumeState::kCreating);
      EXPECT_EQ(v->attach_state, AttachState::kAttached);
      EXPECT_EQ(v->zone, "strato-1a");
      EXPECT_EQ(v->delete_on_termination, d.delete_on_termination);
      EXPECT_EQ(v->size_gib, d.device == "/dev/sdf" ? 2 : 4);
      EXPECT_EQ(v->volume_type, d.device == "/dev/sdf" ? "gp3" : "io1");
    }
    // Reading the instance back lists the same devices.
    auto again = instances_.Get(a_, i.id);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->block_devices.size(), 2u);
    EXPECT_EQ(again->block_devices[1].volume_id, i.block_devices[1].volume_id);
  }
  EXPECT_EQ(Volumes().size(), 4u);
}

TEST_F(BlockDevicesTest, AVolumeFromASnapshotDefaultsToItsSizeAndCannotBeSmaller) {
  BlockDeviceRequest snap = Data("/dev/sdh", std::nullopt);
  snap.volume.snapshot_id = kSnapshot;
  auto out = Launch({snap});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto v = volumes_.Get(a_, out->front().block_devices.at(0).volume_id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size_gib, 4);
  EXPECT_EQ(v->snapshot_id, kSnapshot);
  EXPECT_EQ(v->volume_type, "gp2");
  auto blob = store_->Read([&](ReadTxn& t) { return t.GetBlob(v->blob_id).status(); });
  EXPECT_TRUE(blob.ok());

  snap.volume.size_gib = 3;
  auto small = Launch({snap});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().code(), "InvalidParameterValue");
  // Another tenant's snapshot does not exist for this one.
  snap.volume.size_gib.reset();
  auto other = Launch({snap}, 1, kImage, &b_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), "InvalidSnapshot.NotFound");
}

TEST_F(BlockDevicesTest, BadMappingsCreateNothing) {
  ExpectRefused({Data("/dev/sdz", 1)}, "InvalidBlockDeviceMapping");
  ExpectRefused({Data("sdf", 1)}, "InvalidBlockDeviceMapping");
  ExpectRefused({Data("/dev/sdf", 1), Data("/dev/sdf", 2)}, "InvalidBlockDeviceMapping");
  ExpectRefused({Data("/dev/vda", std::nullopt), Data("/dev/sda1", std::nullopt)},
                "InvalidBlockDeviceMapping");
  ExpectRefused({Data("/dev/sdf", std::nullopt)}, "InvalidBlockDeviceMapping");
  ExpectRefused({Data("/dev/sdf", 1, "gp9")}, "InvalidParameterValue");
  ExpectRefused({Data("/dev/sdf", 2, "st1")}, "InvalidParameterValue");  // st1 starts at 125
  ExpectRefused({Data("/dev/sdf", 20000)}, "InvalidParameterValue");
  ExpectRefused({Data("/dev/sdf", 10, "io1")}, "MissingParameter");  // io1 needs its IOPS
  BlockDeviceRequest gp2_iops = Data("/dev/sdf", 10, "gp2");
  gp2_iops.volume.iops = 3000;
  ExpectRefused({gp2_iops}, "InvalidParameterValue");
  BlockDeviceRequest missing = Data("/dev/sdf", std::nullopt);
  missing.volume.snapshot_id = "snap-0000000000000000f";
  ExpectRefused({Data("/dev/sdg", 1), missing}, "InvalidSnapshot.NotFound");
  missing.volume.snapshot_id = "snap-nope";
  ExpectRefused({missing}, "InvalidSnapshot.Malformed");
  std::vector<BlockDeviceRequest> many;
  for (char c = 'f'; c <= 'm'; ++c) many.push_back(Data(std::string("/dev/sd") + c, 1));
  ExpectRefused(many, "AttachmentLimitExceeded");
  // A data volume needs a guest with hot-plug ports.
  RunInstancesInput micro;
  micro.image_id = kImage;
  micro.instance_type = "mv1.nano";
  micro.block_devices = {Data("/dev/sdf", 1)};
  auto r = instances_.Run(a_, micro);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "Unsupported");
  EXPECT_TRUE(Volumes().empty());
}

TEST_F(BlockDevicesTest, TheRootMappingSizesAndTypesTheRootVolume) {
  BlockDeviceRequest root = Data("/dev/xvda", 8, "io1");
  root.volume.iops = 200;
  root.delete_on_termination = false;
  auto out = Launch({root, Data("/dev/sdf", 1)}, 1, kDiskImage);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Instance& i = out->front();
  ASSERT_EQ(i.block_devices.size(), 2u);
  EXPECT_EQ(i.block_devices[0].device, "/dev/vda");
  EXPECT_FALSE(i.block_devices[0].delete_on_termination);
  auto v = volumes_.Get(a_, i.block_devices[0].volume_id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size_gib, 8);
  EXPECT_EQ(v->volume_type, "io1");
  EXPECT_EQ(v->iops, 200);
  // Without a mapping the root is the image's size, gp3, and goes with the instance.
  auto plain = Launch({}, 1, kDiskImage);
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain->front().block_devices.size(), 1u);
  EXPECT_TRUE(plain->front().block_devices[0].delete_on_termination);
  auto pv = volumes_.Get(a_, plain->front().block_devices[0].volume_id);
  ASSERT_TRUE(pv.ok());
  EXPECT_EQ(pv->size_gib, 3);
  EXPECT_EQ(pv->volume_type, "gp3");
}

TEST_F(BlockDevicesTest, BadRootMappingsCreateNothing) {
  ExpectRefused({Data("/dev/vda", 2)}, "InvalidParameterValue", kDiskImage);  // image is 3 GiB
  ExpectRefused({Data("/dev/vda", 3, "sc1")}, "InvalidParameterValue", kDiskImage);
  BlockDeviceRequest snap = Data("/dev/sda1", std::nullopt);
  snap.volume.snapshot_id = kSnapshot;
  ExpectRefused({snap}, "InvalidParameterValue", kDiskImage);
  ExpectRefused({Data("/dev/vda", 4)}, "InvalidParameterValue");  // no disk to size
  // The root's fate given twice, differently.
  RunInstancesInput in;
  in.image_id = kDiskImage;
  in.instance_type = "t3.micro";
  in.root_device.delete_on_termination = true;
  BlockDeviceRequest keep = Data("/dev/vda", std::nullopt);
  keep.delete_on_termination = false;
  in.block_devices = {keep};
  auto r = instances_.Run(a_, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "InvalidParameterCombination");
  EXPECT_TRUE(Volumes().empty());
}

TEST_F(BlockDevicesTest, VolumeTagsGoOnEveryVolumeMadeAtLaunch) {
  RunInstancesInput in;
  in.image_id = kDiskImage;
  in.instance_type = "t3.micro";
  in.block_devices = {Data("/dev/sdf", 1)};
  in.volume_tags = {{"aws:nope", "x"}};
  auto bad = instances_.Run(a_, in);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "InvalidParameterValue");
  EXPECT_TRUE(Volumes().empty());
  in.volume_tags = {{"app", "db"}};
  auto out = instances_.Run(a_, in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->front().block_devices.size(), 2u);
  for (const BlockDevice& d : out->front().block_devices) {
    auto v = volumes_.Get(a_, d.volume_id);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->tags, (std::map<std::string, std::string>{{"app", "db"}})) << d.device;
  }
  EXPECT_TRUE(out->front().tags.empty());
}

TEST_F(BlockDevicesTest, AttachVolumeKeepsDeleteOnTerminationFalse) {
  auto out = Launch({Data("/dev/sdf", 1)});
  ASSERT_TRUE(out.ok());
  CreateVolumeInput in;
  in.size_gib = 1;
  auto v = volumes_.Create(a_, in);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  // Make it available, as the storage agent would.
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& t) -> Status {
                    Volume x = *v;
                    x.state = VolumeState::kAvailable;
                    return t.UpdateVolume(x);
                  })
                  .ok());
  // An instance launched with volumes is held to their zone from the start.
  EXPECT_EQ(out->front().zone, "strato-1a");
  EXPECT_TRUE(out->front().zone_requested);
  auto attached = volumes_.Attach(a_, v->id, {out->front().id, "/dev/sdg"});
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  EXPECT_FALSE(attached->delete_on_termination);
  auto i = instances_.Get(a_, out->front().id);
  ASSERT_TRUE(i.ok());
  ASSERT_EQ(i->block_devices.size(), 2u);
  EXPECT_TRUE(i->block_devices[0].delete_on_termination);
  EXPECT_EQ(i->block_devices[1].state, AttachState::kAttaching);
  EXPECT_FALSE(i->block_devices[1].delete_on_termination);
}

}  // namespace
}  // namespace strato

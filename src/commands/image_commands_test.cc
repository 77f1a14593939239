#include "commands/image_commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "commands/instance_commands.h"
#include "commands/volume_commands.h"
#include "common/random.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

namespace fs = std::filesystem;

ImageReadFn ReadString(std::string data) {
  auto left = std::make_shared<std::string>(std::move(data));
  return [left](char* out, size_t max) -> Result<size_t> {
    size_t n = std::min(max, left->size());
    std::copy_n(left->data(), n, out);
    left->erase(0, n);
    return n;
  };
}

// A raw disk: 1 MiB with a few non-zero bytes.
std::string RawDisk() {
  std::string disk(1 << 20, '\0');
  disk.replace(4096, 11, "hello-disk!");
  return disk;
}

class ImageCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strato-images-" + RandomString(8, "abcdef0123456789"));
    fs::create_directories(dir_);
    auto s = sqlite::SqliteStore::Open({.path = (dir_ / "strato.db").string()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    env_.store = store_.get();
    env_.kick_volumes = [this] { ++kicks_; };
    ASSERT_TRUE(store_->Write([](WriteTxn& t) {
      return t.InsertTenant({"t-0123456789abcdef0", "acme", 1});
    }).ok());
    images_ = std::make_unique<ImageCommands>(env_, (dir_ / "uploads").string());
  }
  void TearDown() override {
    images_.reset();
    store_->Close();
    fs::remove_all(dir_);
  }
  std::vector<std::string> Spools() {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir_ / "uploads", ec)) out.push_back(e.path());
    return out;
  }
  // Plays the storage agent's part: the import finished.
  void CompleteImport(const ImageData& d) {
    ASSERT_TRUE(store_->Write([&](WriteTxn& t) -> Status {
      STRATO_ASSIGN_OR_RETURN(auto b, t.GetBlob(d.blob_id));
      b.state = BlobState::kReady;
      STRATO_RETURN_IF_ERROR(t.UpdateBlob(b));
      ImageData done = d;
      done.state = ImageDataState::kAvailable;
      done.spool_path.clear();
      return t.PutImageData(done);
    }).ok());
  }

  fs::path dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  CommandEnv env_;
  int kicks_ = 0;
  std::unique_ptr<ImageCommands> images_;
  Principal alice_{"t-0123456789abcdef0", "u-0123456789abcdef0", "AKIA", Role::kMember};
  Principal bob_{"t-0123456789abcdef1", "u-0123456789abcdef1", "AKIB", Role::kMember};
};

TEST_F(ImageCommandsTest, UploadSpoolsTheDiskAndRecordsAPendingImageWithACreatingBlob) {
  auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->data);
  EXPECT_EQ(v->image.state, "pending");
  EXPECT_EQ(v->data->source_format, "raw");
  EXPECT_EQ(v->data->compression, "none");
  EXPECT_EQ(v->data->virtual_size, 1 << 20);
  EXPECT_TRUE(fs::exists(v->data->spool_path));
  EXPECT_EQ(kicks_, 1);
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto b, t.GetBlob(v->data->blob_id));
    EXPECT_EQ(b.state, BlobState::kCreating);
    EXPECT_EQ(b.backing_id, "");
    return OkStatus();
  }).ok());
}

TEST_F(ImageCommandsTest, CorruptOrEmptyUploadsAreRefusedAndLeaveNothing) {
  for (std::string bad : {std::string(), std::string("BZh91AY&SY garbage"),
                          std::string("\x1f\x8b\x08\x00truncated", 13)}) {
    auto v = images_->Upload(alice_, {"bad", "", ReadString(bad)});
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), "InvalidParameterValue") << v.status().ToString();
  }
  EXPECT_TRUE(Spools().empty());
  auto list = images_->List(alice_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(ImageCommandsTest, ATruncatedBodyIsTheReadersErrorAndLeavesNothing) {
  auto read = [n = 0](char* out, size_t max) mutable -> Result<size_t> {
    if (n++ > 0) return Status(400, "IncompleteBody", "the body ended early");
    std::fill_n(out, std::min<size_t>(max, 4096), 'x');
    return std::min<size_t>(max, 4096);
  };
  auto v = images_->Upload(alice_, {"cut", "", read});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), "IncompleteBody");
  EXPECT_TRUE(Spools().empty());
}

TEST_F(ImageCommandsTest, NamesAreValidatedBeforeAnyByteIsRead) {
  bool read = false;
  auto v = images_->Upload(alice_, {"", "", [&](char*, size_t) -> Result<size_t> {
                                      read = true;
                                      return size_t{0};
                                    }});
  EXPECT_FALSE(v.ok());
  EXPECT_FALSE(read);
}

TEST_F(ImageCommandsTest, AnotherTenantsImageIsNotFound) {
  auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(images_->Get(bob_, v->image.id).status().code(), "InvalidAMIID.NotFound");
  EXPECT_EQ(images_->Deregister(bob_, v->image.id).status().code(), "InvalidAMIID.NotFound");
}

TEST_F(ImageCommandsTest, DeregisterKeepsTheDiskWhileAVolumeIsBackedOntoIt) {
  auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
  ASSERT_TRUE(v.ok());
  CompleteImport(*v->data);
  // A volume (say an instance's root) whose overlay reads through the image's blob.
  Blob overlay{.id = "blob-0123456789abcdef0", .backing_id = v->data->blob_id,
               .size_bytes = kGiB, .state = BlobState::kReady};
  Volume vol;
  vol.id = "vol-0123456789abcdef0";
  vol.tenant_id = alice_.tenant_id;
  vol.zone = "strato-1a";
  vol.volume_type = "gp3";
  vol.size_gib = vol.applied_size_gib = 1;
  vol.state = VolumeState::kAvailable;
  vol.blob_id = overlay.id;
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.InsertBlob(overlay));
    return t.InsertVolume(vol);
  }).ok());
  auto r = images_->Deregister(alice_, v->image.id);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->data_deleted);
  EXPECT_EQ(r->dependents, std::vector<std::string>{vol.id});
  EXPECT_EQ(images_->Get(alice_, v->image.id).status().code(), "InvalidAMIID.NotFound");
  // The image's blob is not collectable while the overlay needs it; the overlay is not either.
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto unref, t.ListUnreferencedBlobs(10));
    EXPECT_TRUE(unref.empty());
    return OkStatus();
  }).ok());
}

TEST_F(ImageCommandsTest, DeregisterWithoutDependentsLetsTheDiskBeCollected) {
  auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
  ASSERT_TRUE(v.ok());
  CompleteImport(*v->data);
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto unref, t.ListUnreferencedBlobs(10));
    EXPECT_TRUE(unref.empty());  // the image holds it
    return OkStatus();
  }).ok());
  auto r = images_->Deregister(alice_, v->image.id);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->data_deleted);
  EXPECT_TRUE(r->dependents.empty());
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto unref, t.ListUnreferencedBlobs(10));
    EXPECT_EQ(unref.size(), 1u);
    return OkStatus();
  }).ok());
}

TEST_F(ImageCommandsTest, DeregisteringAPendingImageDeletesItsBlobAfterTheImport) {
  auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(images_->Deregister(alice_, v->image.id).ok());
  EXPECT_TRUE(Spools().empty());
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto b, t.GetBlob(v->data->blob_id));
    EXPECT_EQ(b.state, BlobState::kDeleting);
    return OkStatus();
  }).ok());
}

TEST_F(ImageCommandsTest, APendingOrFailedDiskCannotLaunchAndANoDiskImageBootsTheDefaultGuest) {
  auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    auto pending = LaunchableDisk(t, v->image.id);
    EXPECT_EQ(pending.status().code(), "InvalidAMIID.Unavailable");
    auto none = LaunchableDisk(t, "ami-0123456789abcdef0");
    EXPECT_TRUE(none.ok() && !*none);
    return OkStatus();
  }).ok());
  CompleteImport(*v->data);
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    auto ok = LaunchableDisk(t, v->image.id);
    EXPECT_TRUE(ok.ok() && *ok);
    return OkStatus();
  }).ok());
}

TEST(RootDeviceTest, InstanceStoreIsAlwaysDeletedWithItsInstance) {
  EXPECT_TRUE(ValidateRootDevice({}).ok());
  EXPECT_TRUE(ValidateRootDevice({"instance-store", std::nullopt}).ok());
  EXPECT_EQ(ValidateRootDevice({"instance-store", false}).code(), "InvalidParameterCombination");
  EXPECT_EQ(ValidateRootDevice({"floppy", std::nullopt}).code(), "InvalidParameterValue");
}

}  // namespace
}  // namespace strato

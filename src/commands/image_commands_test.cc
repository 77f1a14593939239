#include "commands/image_commands.h"

#include <gtest/gtest.h>

#include <algorithm>
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

class ImageSharingTest : public ImageCommandsTest {
 protected:
  void SetUp() override {
    ImageCommandsTest::SetUp();
    ASSERT_TRUE(store_->Write([&](WriteTxn& t) -> Status {
      STRATO_RETURN_IF_ERROR(t.InsertTenant({bob_.tenant_id, "bobco", 1}));
      STRATO_RETURN_IF_ERROR(t.InsertTenant({carol_.tenant_id, "carolco", 1}));
      return t.InsertTenant({admin_.tenant_id, "admin", 1});
    }).ok());
    auto v = images_->Upload(alice_, {"disk", "", ReadString(RawDisk())});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    CompleteImport(*v->data);
    image_ = v->image.id;
    blob_ = v->data->blob_id;
  }
  Result<LaunchPermission> Share(const Principal& p, std::vector<std::string> add,
                                 std::vector<std::string> remove = {},
                                 std::optional<bool> make_public = std::nullopt) {
    return images_->ModifyImageLaunchPermission(p, image_,
                                                {std::move(add), std::move(remove), make_public});
  }
  bool Sees(const Principal& p) {
    if (!images_->Get(p, image_).ok()) return false;
    auto list = images_->List(p);
    return list.ok() && list->size() == 1 && list->front().image.id == image_;
  }
  // A volume of `tenant` whose overlay reads through the image's disk (an instance's root).
  void AddVolumeOverTheImage(const std::string& id, const std::string& tenant,
                             bool instance_store = false) {
    Blob overlay{.id = "blob-" + id.substr(4), .backing_id = blob_, .size_bytes = kGiB,
                 .state = BlobState::kReady};
    Volume vol;
    vol.id = id;
    vol.tenant_id = tenant;
    vol.zone = "strato-1a";
    vol.volume_type = "gp3";
    vol.size_gib = vol.applied_size_gib = 1;
    vol.state = VolumeState::kInUse;
    vol.blob_id = overlay.id;
    vol.instance_id = "i-" + id.substr(4);
    vol.device = "/dev/vda";
    vol.attach_state = AttachState::kAttached;
    vol.delete_on_termination = true;
    ASSERT_TRUE(store_->Write([&](WriteTxn& t) -> Status {
      STRATO_RETURN_IF_ERROR(t.InsertBlob(overlay));
      STRATO_RETURN_IF_ERROR(t.InsertVolume(vol));
      return t.PutRootVolume({vol.id, vol.instance_id, instance_store});
    }).ok());
  }

  Principal carol_{"t-0123456789abcdef2", "u-0123456789abcdef2", "AKIC", Role::kMember};
  Principal admin_{"t-0123456789abcdef3", "u-0123456789abcdef3", "AKIA0", Role::kAdmin};
  std::string image_;
  std::string blob_;
};

TEST_F(ImageSharingTest, AGrantMakesTheImageUsableByThatTenantOnlyUntilRevoked) {
  EXPECT_FALSE(Sees(bob_));
  auto lp = Share(alice_, {bob_.tenant_id});
  ASSERT_TRUE(lp.ok()) << lp.status().ToString();
  EXPECT_FALSE(lp->is_public);
  EXPECT_EQ(lp->tenants, std::vector<std::string>{bob_.tenant_id});
  EXPECT_TRUE(Sees(bob_));
  EXPECT_FALSE(Sees(carol_));
  // The grantee knows it holds a grant, and no more; the owner sees every grant.
  EXPECT_EQ(images_->Get(bob_, image_)->launch_tenants, std::vector<std::string>{bob_.tenant_id});
  EXPECT_EQ(images_->Get(alice_, image_)->launch_tenants,
            std::vector<std::string>{bob_.tenant_id});
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    // RunInstances looks the image up exactly so.
    EXPECT_TRUE(t.GetImage(Scope::Tenant(bob_.tenant_id), image_).ok());
    return OkStatus();
  }).ok());
  ASSERT_TRUE(Share(alice_, {}, {bob_.tenant_id}).ok());
  EXPECT_FALSE(Sees(bob_));
  EXPECT_EQ(images_->Get(bob_, image_).status().code(), "InvalidAMIID.NotFound");
}

TEST_F(ImageSharingTest, APublicImageIsUsableByEveryTenant) {
  auto lp = Share(alice_, {}, {}, true);
  ASSERT_TRUE(lp.ok()) << lp.status().ToString();
  EXPECT_TRUE(lp->is_public);
  EXPECT_TRUE(Sees(bob_) && Sees(carol_));
  ASSERT_TRUE(Share(alice_, {}, {}, false).ok());
  EXPECT_FALSE(Sees(bob_) || Sees(carol_));
}

TEST_F(ImageSharingTest, OnlyTheOwnerOrTheCloudAdminChangesOrReadsThePermissions) {
  ASSERT_TRUE(Share(alice_, {bob_.tenant_id}).ok());
  // Bob sees the image but does not own it; Carol does not even see it.
  EXPECT_EQ(Share(bob_, {carol_.tenant_id}).status().code(), "UnauthorizedOperation");
  EXPECT_EQ(Share(bob_, {}, {bob_.tenant_id}).status().code(), "UnauthorizedOperation");
  EXPECT_EQ(images_->DescribeImageLaunchPermission(bob_, image_).status().code(),
            "UnauthorizedOperation");
  EXPECT_EQ(images_->Deregister(bob_, image_).status().code(), "UnauthorizedOperation");
  EXPECT_EQ(Share(carol_, {carol_.tenant_id}).status().code(), "InvalidAMIID.NotFound");
  EXPECT_EQ(images_->DescribeImageLaunchPermission(carol_, image_).status().code(),
            "InvalidAMIID.NotFound");
  EXPECT_FALSE(Sees(carol_));
  auto lp = Share(admin_, {carol_.tenant_id});
  ASSERT_TRUE(lp.ok()) << lp.status().ToString();
  EXPECT_EQ(lp->tenants, (std::vector<std::string>{bob_.tenant_id, carol_.tenant_id}));
  EXPECT_EQ(images_->DescribeImageLaunchPermission(admin_, image_)->tenants, lp->tenants);
  EXPECT_EQ(images_->DescribeImageLaunchPermission(alice_, image_)->tenants, lp->tenants);
}

TEST_F(ImageSharingTest, OnlyTheOwnerOrTheCloudAdminChangesTheDescription) {
  auto changed = images_->SetDescription(alice_, image_, "mine");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->image.description, "mine");
  EXPECT_EQ(images_->SetDescription(carol_, image_, "x").status().code(), "InvalidAMIID.NotFound");
  ASSERT_TRUE(Share(alice_, {bob_.tenant_id}).ok());
  EXPECT_EQ(images_->SetDescription(bob_, image_, "x").status().code(), "UnauthorizedOperation");
  EXPECT_EQ(images_->SetDescription(alice_, image_, std::string(256, 'd')).status().code(),
            "InvalidParameterValue");
  auto seen = images_->Get(bob_, image_);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->image.description, "mine");
  auto by_admin = images_->SetDescription(admin_, image_, std::string(255, 'd'));
  ASSERT_TRUE(by_admin.ok()) << by_admin.status().ToString();
  EXPECT_EQ(by_admin->image.description, std::string(255, 'd'));
  auto cleared = images_->SetDescription(alice_, image_, "");
  ASSERT_TRUE(cleared.ok()) << cleared.status().ToString();
  EXPECT_EQ(cleared->image.description, "");
}

TEST_F(ImageSharingTest, BadChangesAreRefusedAndChangeNothing) {
  auto unknown = Share(alice_, {bob_.tenant_id, "t-00000000000000000"});
  EXPECT_EQ(unknown.status().code(), "InvalidParameterValue");
  EXPECT_FALSE(Sees(bob_));  // the valid half did not go through either
  EXPECT_EQ(Share(alice_, {""}).status().code(), "InvalidParameterValue");
  EXPECT_EQ(Share(alice_, {bob_.tenant_id}, {bob_.tenant_id}).status().code(),
            "InvalidParameterCombination");
  EXPECT_EQ(Share(alice_, {}).status().code(), "MissingParameter");
  EXPECT_EQ(images_->ModifyImageLaunchPermission(alice_, "ami-nope", {.make_public = true})
                .status()
                .code(),
            "InvalidAMIID.Malformed");
  // The owner needs no grant; revoking what was never granted is no error.
  auto self = Share(alice_, {alice_.tenant_id}, {carol_.tenant_id});
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  EXPECT_TRUE(self->tenants.empty());
  EXPECT_TRUE(images_->Get(alice_, image_)->launch_tenants.empty());
}

TEST_F(ImageSharingTest, ResetMakesTheImagePrivateAndUnshared) {
  ASSERT_TRUE(Share(alice_, {bob_.tenant_id, carol_.tenant_id}, {}, true).ok());
  auto lp = images_->ModifyImageLaunchPermission(alice_, image_, {.reset = true});
  ASSERT_TRUE(lp.ok()) << lp.status().ToString();
  EXPECT_FALSE(lp->is_public);
  EXPECT_TRUE(lp->tenants.empty());
  EXPECT_FALSE(Sees(bob_) || Sees(carol_));
}

TEST_F(ImageSharingTest, ListFiltersByOwnerAndByWhoMayLaunch) {
  auto bobs = images_->Upload(bob_, {"bobs", "", ReadString(RawDisk())});
  ASSERT_TRUE(bobs.ok());
  ASSERT_TRUE(Share(alice_, {bob_.tenant_id}).ok());
  auto ids = [&](const Principal& p, ImageListFilter f) {
    std::vector<std::string> out;
    auto list = images_->List(p, f);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const auto& v : *list) out.push_back(v.image.id);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(bob_, {.owners = {"self"}}), V{bobs->image.id});
  EXPECT_EQ(ids(bob_, {.owners = {alice_.tenant_id}}), V{image_});
  // Shared with Bob: Alice's image, not his own.
  EXPECT_EQ(ids(bob_, {.executable_by = {"self"}}), V{image_});
  EXPECT_EQ(ids(bob_, {.executable_by = {bob_.tenant_id}}), V{image_});
  // Alice's images shared with Bob.
  EXPECT_EQ(ids(alice_, {.executable_by = {bob_.tenant_id}}), V{image_});
  EXPECT_EQ(ids(alice_, {.executable_by = {carol_.tenant_id}}), V{});
  EXPECT_EQ(ids(bob_, {.executable_by = {"all"}}), V{});
  ASSERT_TRUE(Share(alice_, {}, {}, true).ok());
  EXPECT_EQ(ids(carol_, {.executable_by = {"all"}}), V{image_});
  EXPECT_EQ(ids(carol_, {.ids = {image_}}), V{image_});
  EXPECT_EQ(images_->List(carol_, {.ids = {bobs->image.id}}).status().code(),
            "InvalidAMIID.NotFound");
}

TEST_F(ImageSharingTest, DeregisterDropsTheGrantsAndKeepsTheDiskForOtherTenantsVolumes) {
  ASSERT_TRUE(Share(alice_, {bob_.tenant_id}).ok());
  AddVolumeOverTheImage("vol-0123456789abcdefb", bob_.tenant_id);
  AddVolumeOverTheImage("vol-0123456789abcdefa", alice_.tenant_id);
  AddVolumeOverTheImage("vol-0123456789abcdefc", alice_.tenant_id, /*instance_store=*/true);
  auto r = images_->Deregister(alice_, image_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->data_deleted);
  // Bob's root keeps the disk, but Alice is not told of another tenant's volume, nor of an
  // instance-store root (not a volume).
  EXPECT_EQ(r->dependents, std::vector<std::string>{"vol-0123456789abcdefa"});
  EXPECT_FALSE(Sees(bob_));
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto grants, t.ListLaunchPermissions(image_));
    EXPECT_TRUE(grants.empty());
    STRATO_ASSIGN_OR_RETURN(auto blob, t.GetBlob(blob_));
    EXPECT_EQ(blob.state, BlobState::kReady);
    STRATO_ASSIGN_OR_RETURN(auto unref, t.ListUnreferencedBlobs(10));
    EXPECT_TRUE(unref.empty());
    return OkStatus();
  }).ok());
  // Once Alice's volumes are gone, Bob's alone still holds the disk.
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.DeleteVolume("vol-0123456789abcdefa"));
    STRATO_RETURN_IF_ERROR(t.DeleteBlob("blob-0123456789abcdefa"));
    STRATO_RETURN_IF_ERROR(t.DeleteVolume("vol-0123456789abcdefc"));
    return t.DeleteBlob("blob-0123456789abcdefc");
  }).ok());
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto unref, t.ListUnreferencedBlobs(10));
    EXPECT_TRUE(unref.empty());
    return OkStatus();
  }).ok());
}

TEST_F(ImageSharingTest, AnInstanceStoreRootIsNoVolumeToItsTenant) {
  AddVolumeOverTheImage("vol-0123456789abcdefe", alice_.tenant_id, /*instance_store=*/true);
  AddVolumeOverTheImage("vol-0123456789abcdeff", alice_.tenant_id);
  VolumeCommands volumes(env_);
  const std::string eph = "vol-0123456789abcdefe";
  auto list = volumes.List(alice_, {}, {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items.front().id, "vol-0123456789abcdeff");
  EXPECT_EQ(volumes.Get(alice_, eph).status().code(), "InvalidVolume.NotFound");
  EXPECT_EQ(volumes.Delete(alice_, eph).status().code(), "InvalidVolume.NotFound");
  EXPECT_EQ(volumes.Detach(alice_, eph, true).status().code(), "InvalidVolume.NotFound");
  EXPECT_EQ(volumes.Modify(alice_, eph, {.size_gib = 2}).status().code(),
            "InvalidVolume.NotFound");
  EXPECT_EQ(volumes.CreateSnapshot(alice_, {eph, "", {}}).status().code(),
            "InvalidVolume.NotFound");
  // The controllers still see it (system scope).
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) -> Status {
    EXPECT_TRUE(t.GetVolume(Scope::System(), eph).ok());
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

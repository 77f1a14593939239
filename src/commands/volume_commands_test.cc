#include "commands/volume_commands.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/random.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

namespace fs = std::filesystem;

// Volumes over a real SQLite store; the volume controller's part (blobs made, grows applied)
// is played by hand.
class VolumeCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strato-volumes-" + RandomString(8, "abcdef0123456789"));
    fs::create_directories(dir_);
    auto s = sqlite::SqliteStore::Open({.path = (dir_ / "strato.db").string()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    env_.store = store_.get();
    env_.now_ms = [this] { return now_; };
    volumes_ = std::make_unique<VolumeCommands>(env_);
  }
  void TearDown() override {
    volumes_.reset();
    store_->Close();
    fs::remove_all(dir_);
  }
  // An available volume of `p`'s tenant.
  std::string Available(const Principal& p, int64_t gib, const std::string& type = "gp2") {
    auto v = volumes_->Create(p, {{.size_gib = gib, .volume_type = type}});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(store_
                    ->Write([&](WriteTxn& t) -> Status {
                      STRATO_ASSIGN_OR_RETURN(auto got, t.GetVolume(Scope::System(), v->id));
                      got.state = VolumeState::kAvailable;
                      return t.UpdateVolume(got);
                    })
                    .ok());
    return v->id;
  }
  // The controller grew the volume's blob to its size.
  void Grow(const std::string& id) {
    ASSERT_TRUE(store_
                    ->Write([&](WriteTxn& t) -> Status {
                      STRATO_ASSIGN_OR_RETURN(auto v, t.GetVolume(Scope::System(), id));
                      v.applied_size_gib = v.size_gib;
                      return t.UpdateVolume(v);
                    })
                    .ok());
  }

  fs::path dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  CommandEnv env_;
  int64_t now_ = 1000;
  std::unique_ptr<VolumeCommands> volumes_;
  Principal alice_{"t-0123456789abcdef0", "u-0123456789abcdef0", "AKIA", Role::kMember};
  Principal bob_{"t-0123456789abcdef1", "u-0123456789abcdef1", "AKIB", Role::kMember};
};

TEST_F(VolumeCommandsTest, ModifyRecordsTheLatestModificationOfTheVolume) {
  const std::string id = Available(alice_, 1);
  auto none = volumes_->ListModifications(alice_, {id}, {});
  EXPECT_EQ(none.status().code(), "InvalidVolumeModification.NotFound");

  auto grow = volumes_->Modify(alice_, id, {.size_gib = 3});
  ASSERT_TRUE(grow.ok()) << grow.status().ToString();
  EXPECT_EQ(grow->volume.size_gib, 3);
  EXPECT_EQ(grow->modification.state, ModificationState::kModifying);
  EXPECT_EQ(grow->modification.original_size_gib, 1);
  EXPECT_EQ(grow->modification.target_size_gib, 3);
  EXPECT_EQ(grow->modification.start_time, 1000);
  auto listed = volumes_->ListModifications(alice_, {id}, {});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].state, ModificationState::kModifying);
  // One change at a time: the next waits for the disk to have grown.
  EXPECT_EQ(volumes_->Modify(alice_, id, {.volume_type = "gp3"}).status().code(),
            "IncorrectModificationState");
  EXPECT_EQ(volumes_->ListModifications(alice_, {id}, {})->items[0].target_size_gib, 3);

  Grow(id);
  now_ = 2000;
  auto retype = volumes_->Modify(alice_, id, {.volume_type = "gp3"});
  ASSERT_TRUE(retype.ok()) << retype.status().ToString();
  EXPECT_EQ(retype->modification.state, ModificationState::kCompleted);
  EXPECT_EQ(retype->modification.end_time, 2000);
  listed = volumes_->ListModifications(alice_, {}, {});
  ASSERT_EQ(listed->items.size(), 1u);  // the latest only
  EXPECT_EQ(listed->items[0].original_volume_type, "gp2");
  EXPECT_EQ(listed->items[0].target_iops, 3000);  // gp3's baseline
  EXPECT_EQ(listed->items[0].original_size_gib, 3);

  // A refused change records nothing.
  EXPECT_EQ(volumes_->Modify(alice_, id, {.size_gib = 2}).status().code(), "InvalidParameterValue");
  EXPECT_EQ(volumes_->ListModifications(alice_, {id}, {})->items[0].target_volume_type, "gp3");
}

TEST_F(VolumeCommandsTest, ModificationsAreTheTenantsAndPaged) {
  const std::string a = Available(alice_, 1), b = Available(alice_, 1);
  const std::string theirs = Available(bob_, 1);
  for (const auto& id : {a, b}) ASSERT_TRUE(volumes_->Modify(alice_, id, {.size_gib = 2}).ok());
  ASSERT_TRUE(volumes_->Modify(bob_, theirs, {.size_gib = 2}).ok());
  EXPECT_EQ(volumes_->ListModifications(bob_, {a}, {}).status().code(), "InvalidVolume.NotFound");
  EXPECT_EQ(volumes_->ListModifications(alice_, {"vol-bad"}, {}).status().code(),
            "InvalidVolume.Malformed");
  auto first = volumes_->ListModifications(alice_, {}, {.page_size = 1});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 1u);
  ASSERT_FALSE(first->next_token.empty());
  auto second =
      volumes_->ListModifications(alice_, {}, {.page_size = 1, .next_token = first->next_token});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_TRUE(second->next_token.empty());
  EXPECT_NE(first->items[0].volume_id, second->items[0].volume_id);
  EXPECT_EQ(volumes_->ListModifications(bob_, {}, {})->items.size(), 1u);
}

TEST_F(VolumeCommandsTest, DeleteOnTerminationChangesOnlyAttachedDevices) {
  const std::string id = Available(alice_, 1);
  Instance inst;
  inst.id = "i-0123456789abcdef0";
  inst.tenant_id = alice_.tenant_id;
  inst.zone = "strato-1a";
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) { return t.InsertInstance(inst); }).ok());
  ASSERT_TRUE(volumes_->Attach(alice_, id, {inst.id, "/dev/sdf"}).ok());

  EXPECT_EQ(volumes_->SetDeleteOnTermination(alice_, inst.id, {}).status().code(),
            "MissingParameter");
  EXPECT_EQ(volumes_->SetDeleteOnTermination(alice_, inst.id, {{"/dev/sdg", true}}).status().code(),
            "InvalidParameterValue");
  EXPECT_EQ(
      volumes_
          ->SetDeleteOnTermination(alice_, inst.id, {{"/dev/sdf", true, "vol-0123456789abcdef0"}})
          .status()
          .code(),
      "InvalidParameterValue");
  EXPECT_EQ(volumes_->SetDeleteOnTermination(bob_, inst.id, {{"/dev/sdf", true}}).status().code(),
            "InvalidInstanceID.NotFound");
  // All or nothing: the good change before a bad one is not kept.
  EXPECT_EQ(
      volumes_->SetDeleteOnTermination(alice_, inst.id, {{"/dev/sdf", true}, {"/dev/sdf", false}})
          .status()
          .code(),
      "InvalidParameterValue");
  EXPECT_FALSE(volumes_->Get(alice_, id)->delete_on_termination);

  auto changed = volumes_->SetDeleteOnTermination(alice_, inst.id, {{"/dev/sdf", true, id}});
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_TRUE(volumes_->Get(alice_, id)->delete_on_termination);
}

}  // namespace
}  // namespace strato

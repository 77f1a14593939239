#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace strato::sqlite {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strato-store-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<SqliteStore> Reopen() {
    auto s = SqliteStore::Open({.path = (dir_ / "strato.db").string()});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  Instance MakeInstance(const std::string& id, const std::string& tenant) {
    Instance i;
    i.id = id;
    i.tenant_id = tenant;
    i.image_id = "ami-00000000000000001";
    i.instance_type = "t3.micro";
    i.vcpus = 2;
    i.memory_mib = 1024;
    i.zone = "z";
    return i;
  }
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, WriteIsVisibleToReadsAndSurvivesReopen) {
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) {
    Instance i = MakeInstance("i-00000000000000001", "t-a");
    i.tags["env"] = "prod";
    return t.InsertInstance(i);
  }).ok());
  store_.reset();
  store_ = Reopen();
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) {
    auto i = t.GetInstance(Scope::Tenant("t-a"), "i-00000000000000001");
    EXPECT_TRUE(i.ok());
    EXPECT_EQ(i->tags.at("env"), "prod");
    return OkStatus();
  }).ok());
}

TEST_F(SqliteStoreTest, OtherTenantGetsTheSameNotFoundAsAMissingId) {
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) {
    return t.InsertInstance(MakeInstance("i-00000000000000001", "t-a"));
  }).ok());
  store_->Read([&](ReadTxn& t) {
    auto foreign = t.GetInstance(Scope::Tenant("t-b"), "i-00000000000000001");
    auto missing = t.GetInstance(Scope::Tenant("t-b"), "i-00000000000000002");
    EXPECT_EQ(foreign.status().code(), "InvalidInstanceID.NotFound");
    EXPECT_EQ(foreign.status().http_status(), missing.status().http_status());
    auto list = t.ListInstances(Scope::Tenant("t-b"), {}, {});
    EXPECT_TRUE(list->empty());
    return OkStatus();
  });
}

TEST_F(SqliteStoreTest, FailedWriteRollsBackOnlyItself) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, failed{0};
  for (int n = 0; n < 16; ++n) {
    threads.emplace_back([&, n] {
      Status s = store_->Write([&](WriteTxn& t) {
        STRATO_RETURN_IF_ERROR(t.InsertInstance(
            MakeInstance("i-0000000000000" + std::to_string(1000 + n), "t-a")));
        if (n % 2) return InvalidParameter("odd");
        return OkStatus();
      });
      (s.ok() ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(failed, 8);
  store_->Read([&](ReadTxn& t) {
    EXPECT_EQ(t.ListInstances(Scope::System(), {}, {.limit = 100})->size(), 8u);
    return OkStatus();
  });
}

TEST_F(SqliteStoreTest, KeysetPaginationIsStableAndFiltersByTag) {
  store_->Write([&](WriteTxn& t) {
    for (int n = 0; n < 25; ++n) {
      Instance i = MakeInstance("i-000000000000000" + std::to_string(10 + n), "t-a");
      if (n % 5 == 0) i.tags["role"] = "db";
      STRATO_RETURN_IF_ERROR(t.InsertInstance(i));
    }
    return OkStatus();
  });
  store_->Read([&](ReadTxn& t) {
    std::vector<std::string> seen;
    Page page{.limit = 10};
    for (;;) {
      auto rows = t.ListInstances(Scope::Tenant("t-a"), {}, page);
      for (auto& i : *rows) seen.push_back(i.id);
      if (rows->size() < 10u) break;
      page.after_id = rows->back().id;
    }
    EXPECT_EQ(seen.size(), 25u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    InstanceFilter f;
    f.tags.push_back({"role", "db"});
    auto dbs = t.ListInstances(Scope::Tenant("t-a"), f, {.limit = 100});
    EXPECT_EQ(dbs->size(), 5u);
    for (auto& i : *dbs) EXPECT_EQ(i.tags.at("role"), "db");
    return OkStatus();
  });
}

TEST_F(SqliteStoreTest, HostAllocationSumsPlacedInstances) {
  store_->Write([&](WriteTxn& t) {
    Host h{.id = "h-1", .name = "one", .zone = "z", .driver = "sim", .vcpus = 8,
           .memory_mib = 8192};
    STRATO_RETURN_IF_ERROR(t.InsertHost(h));
    for (int n = 0; n < 3; ++n) {
      Instance i = MakeInstance("i-0000000000000000" + std::to_string(n), "t-a");
      i.host_id = "h-1";
      STRATO_RETURN_IF_ERROR(t.InsertInstance(i));
    }
    return OkStatus();
  });
  store_->Read([&](ReadTxn& t) {
    auto h = t.GetHost("h-1");
    EXPECT_EQ(h->allocated_vcpus, 6);
    EXPECT_EQ(h->allocated_memory_mib, 3072);
    EXPECT_EQ(h->instance_count, 3);
    return OkStatus();
  });
}

}  // namespace
}  // namespace strato::sqlite

namespace strato::sqlite {
namespace {

// Regression: reading an instance context left its statement mid-result, which pinned the
// pooled reader's snapshot; later reads on that connection missed newer instances.
TEST_F(SqliteStoreTest, InstanceContextReadDoesNotPinTheSnapshot) {
  InstanceContext c;
  c.instance_id = "i-00000000000000001";
  c.tenant_id = "t-a";
  c.key_name = "k";
  c.user_data = std::string("#!\0\xff", 4);
  c.metadata.hop_limit = 3;
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) {
    STRATO_RETURN_IF_ERROR(t.InsertInstance(MakeInstance(c.instance_id, "t-a")));
    return t.PutInstanceContext(c);
  }).ok());
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(store_->Read([&](ReadTxn& t) {
      auto got = t.GetInstanceContext(Scope::System(), c.instance_id);
      EXPECT_EQ(got->user_data, c.user_data);
      EXPECT_EQ(got->metadata.hop_limit, 3);
      EXPECT_EQ(t.GetInstanceContext(Scope::Tenant("t-b"), c.instance_id)->key_name, "");
      return OkStatus();
    }).ok());
    std::string id = "i-0000000000000010" + std::to_string(round);
    ASSERT_TRUE(store_->Write([&](WriteTxn& t) { return t.InsertInstance(MakeInstance(id, "t-a")); })
                    .ok());
    ASSERT_TRUE(store_->Read([&](ReadTxn& t) {
      EXPECT_TRUE(t.GetInstance(Scope::System(), id).ok()) << id << " invisible";
      return OkStatus();
    }).ok());
  }
  // The context goes with its instance.
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) { return t.DeleteInstance(c.instance_id); }).ok());
  ASSERT_TRUE(store_->Read([&](ReadTxn& t) {
    EXPECT_EQ(t.GetInstanceContext(Scope::System(), c.instance_id)->key_name, "");
    return OkStatus();
  }).ok());
}

// A volume keeps one (the latest) modification, scoped by tenant, and takes it along when it
// is deleted; an image takes its tags along.
TEST_F(SqliteStoreTest, ModificationsAndImageTagsGoWithTheirResource) {
  Volume v{.id = "vol-00000000000000001",
           .tenant_id = "t-a",
           .zone = "z",
           .volume_type = "gp2",
           .size_gib = 1};
  VolumeModification m{.volume_id = v.id,
                       .tenant_id = "t-a",
                       .original_size_gib = 1,
                       .target_size_gib = 2,
                       .start_time = 5};
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& t) -> Status {
                    STRATO_RETURN_IF_ERROR(t.InsertVolume(v));
                    STRATO_RETURN_IF_ERROR(t.PutVolumeModification(m));
                    m.target_size_gib = 3;  // the next one replaces it
                    STRATO_RETURN_IF_ERROR(t.PutVolumeModification(m));
                    STRATO_RETURN_IF_ERROR(
                        t.InsertImage({.id = "ami-00000000000000001", .tenant_id = "t-a"}));
                    return t.SetTag("t-a", "ami-00000000000000001", "k", "v");
                  })
                  .ok());
  ASSERT_TRUE(
      store_
          ->Read([&](ReadTxn& t) -> Status {
            auto mine = t.ListVolumeModifications(Scope::Tenant("t-a"), {}, {});
            EXPECT_TRUE(mine.ok());
            EXPECT_EQ(mine->size(), 1u);
            EXPECT_EQ(mine->at(0).target_size_gib, 3);
            auto by_id = t.ListVolumeModifications(Scope::Tenant("t-a"), {v.id}, {});
            EXPECT_EQ(by_id->size(), 1u);
            EXPECT_TRUE(t.ListVolumeModifications(Scope::Tenant("t-b"), {v.id}, {})->empty());
            EXPECT_TRUE(
                t.ListVolumeModifications(Scope::Tenant("t-a"), {}, {.after_id = v.id})->empty());
            return OkStatus();
          })
          .ok());
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& t) -> Status {
                    STRATO_RETURN_IF_ERROR(t.DeleteVolume(v.id));
                    return t.DeleteImage("ami-00000000000000001");
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](ReadTxn& t) -> Status {
                    EXPECT_TRUE(t.ListVolumeModifications(Scope::System(), {}, {})->empty());
                    EXPECT_TRUE(t.GetTags(Scope::System(), "ami-00000000000000001")->empty());
                    return OkStatus();
                  })
                  .ok());
}

}  // namespace
}  // namespace strato::sqlite

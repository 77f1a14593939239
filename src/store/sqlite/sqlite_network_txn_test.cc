// The store's guarantees about addresses: never two interfaces on one address or MAC, and
// an instance's interfaces go with it when it is terminated or deleted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace strato::sqlite {
namespace {

class SqliteNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strato-net-store-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(SqliteStore::Open({.path = (dir_ / "strato.db").string()})).value();
    ASSERT_TRUE(store_
                    ->Write([&](WriteTxn& t) {
                      STRATO_RETURN_IF_ERROR(t.InsertVpc({kVpc, "t-a", "10.0.0.0/16", false, 1}));
                      STRATO_RETURN_IF_ERROR(
                          t.InsertSubnet({kSubnet, "t-a", kVpc, "10.0.1.0/24", false, 1}));
                      for (const char* id : {kI1, kI2}) {
                        Instance i;
                        i.id = id;
                        i.tenant_id = "t-a";
                        i.image_id = "ami-00000000000000001";
                        i.instance_type = "t3.micro";
                        STRATO_RETURN_IF_ERROR(t.InsertInstance(i));
                      }
                      return OkStatus();
                    })
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  NetworkInterface Nic(const char* id, const char* instance, int64_t ip, const char* mac) {
    return {id, "t-a", instance, kVpc, kSubnet, "10.0.1." + std::to_string(ip & 255), ip, mac, 1};
  }
  Status Insert(const NetworkInterface& n) {
    return store_->Write([&](WriteTxn& t) { return t.InsertNetworkInterface(n); });
  }
  std::vector<NetworkInterface> All() {
    std::vector<NetworkInterface> out;
    EXPECT_TRUE(store_
                    ->Read([&](ReadTxn& t) {
                      STRATO_ASSIGN_OR_RETURN(out, t.ListNetworkInterfaces({}));
                      return OkStatus();
                    })
                    .ok());
    return out;
  }

  static constexpr char kVpc[] = "vpc-00000000000000001";
  static constexpr char kSubnet[] = "subnet-00000000000000001";
  static constexpr char kI1[] = "i-00000000000000001";
  static constexpr char kI2[] = "i-00000000000000002";
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteNetworkTest, AnAddressOrMacIsNeverGivenTwice) {
  ASSERT_TRUE(Insert(Nic("eni-00000000000000001", kI1, 0x0a000104, "02:00:00:00:00:01")).ok());
  EXPECT_EQ(Insert(Nic("eni-00000000000000002", kI2, 0x0a000104, "02:00:00:00:00:02")).code(),
            "AlreadyExists");
  EXPECT_EQ(Insert(Nic("eni-00000000000000003", kI2, 0x0a000105, "02:00:00:00:00:01")).code(),
            "AlreadyExists");
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].subnet_cidr, "10.0.1.0/24");
}

TEST_F(SqliteNetworkTest, TerminatingOrDeletingReleasesTheAddress) {
  ASSERT_TRUE(Insert(Nic("eni-00000000000000001", kI1, 0x0a000104, "02:00:00:00:00:01")).ok());
  ASSERT_TRUE(Insert(Nic("eni-00000000000000002", kI2, 0x0a000105, "02:00:00:00:00:02")).ok());
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& t) {
                    STRATO_ASSIGN_OR_RETURN(auto i, t.GetInstance(Scope::System(), kI1));
                    EXPECT_EQ(i.interfaces.size(), 1u);
                    i.state = InstanceState::kStopped;
                    STRATO_RETURN_IF_ERROR(t.UpdateInstance(i));
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(All().size(), 2u) << "stopping keeps the address";
  ASSERT_TRUE(store_
                  ->Write([&](WriteTxn& t) {
                    STRATO_ASSIGN_OR_RETURN(auto i, t.GetInstance(Scope::System(), kI1));
                    i.state = InstanceState::kTerminated;
                    return t.UpdateInstance(i);
                  })
                  .ok());
  ASSERT_EQ(All().size(), 1u);
  ASSERT_TRUE(store_->Write([&](WriteTxn& t) { return t.DeleteInstance(kI2); }).ok());
  EXPECT_TRUE(All().empty());
  // The address is free again.
  EXPECT_TRUE(Insert(Nic("eni-00000000000000003", kI1, 0x0a000104, "02:00:00:00:00:01")).ok());
}

}  // namespace
}  // namespace strato::sqlite

#include "drivers/storage/qcow2_storage_driver.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "common/ids.h"
#include "drivers/storage/command_runner.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kMiB = 1024 * 1024;

// Runs against the real qemu-img in a fresh directory.
class Qcow2StorageDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strato-storage-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    driver_ = std::make_unique<Qcow2StorageDriver>(Qcow2StorageOptions{.root = dir_ + "/storage"});
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` at byte `offset` of the blob's guest-visible disk (through the chain).
  void WriteAt(const std::string& id, int64_t offset, const std::string& text) {
    auto r = RunCommand({"qemu-io", "-f", "qcow2", "-c",
                         "write -P 0x5a " + std::to_string(offset) + " " +
                             std::to_string(text.size()),
                         driver_->Path(id)},
                        std::chrono::seconds(30));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->exit_code, 0) << r->err << r->out;
  }
  // True when `len` bytes at `offset` hold the 0x5a pattern.
  bool HasPattern(const std::string& id, int64_t offset, int64_t len) {
    auto r = RunCommand({"qemu-io", "-r", "-f", "qcow2", "-c",
                         "read -P 0x5a " + std::to_string(offset) + " " + std::to_string(len),
                         driver_->Path(id)},
                        std::chrono::seconds(30));
    return r.ok() && r->exit_code == 0 && r->out.find("Pattern verification failed") == std::string::npos;
  }

  std::string dir_;
  std::unique_ptr<Qcow2StorageDriver> driver_;
};

TEST_F(Qcow2StorageDriverTest, CreateInspectGrowDelete) {
  std::string id = NewResourceId("blob");
  ASSERT_TRUE(driver_->Create(id, 64 * kMiB, "").ok());
  auto info = driver_->Inspect(id);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->virtual_size, 64 * kMiB);
  EXPECT_EQ(info->format, "qcow2");
  EXPECT_EQ(info->backing_id, "");
  EXPECT_TRUE(driver_->Create(id, 64 * kMiB, "").ok()) << "a repeat is idempotent";
  EXPECT_TRUE(driver_->Check(id).ok());
  ASSERT_TRUE(driver_->Grow(id, 128 * kMiB).ok());
  EXPECT_EQ(driver_->Inspect(id)->virtual_size, 128 * kMiB);
  EXPECT_EQ(driver_->Grow(id, 32 * kMiB).code(), "InvalidParameterValue");
  EXPECT_EQ(driver_->List(), std::vector<std::string>{id});
  ASSERT_TRUE(driver_->Delete(id).ok());
  EXPECT_TRUE(driver_->Delete(id).ok()) << "deleting twice is fine";
  EXPECT_TRUE(driver_->List().empty());
  EXPECT_EQ(driver_->Inspect(id).status().code(), "InvalidBlob.NotFound");
}

TEST_F(Qcow2StorageDriverTest, SnapshotChainKeepsPointInTimeData) {
  std::string base = NewResourceId("blob"), top = NewResourceId("blob"),
              clone = NewResourceId("blob");
  ASSERT_TRUE(driver_->Create(base, 16 * kMiB, "").ok());
  WriteAt(base, 0, std::string(4096, 'x'));
  // Snapshot: base freezes, the volume continues in `top`.
  ASSERT_TRUE(driver_->Create(top, 0, base).ok());
  auto info = driver_->Inspect(top);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->backing_id, base);
  EXPECT_EQ(info->virtual_size, 16 * kMiB) << "an overlay defaults to its backing's size";
  WriteAt(top, 8192, std::string(4096, 'y'));
  // A volume from the snapshot sees the old data, not what was written after.
  ASSERT_TRUE(driver_->Create(clone, 32 * kMiB, base).ok());
  EXPECT_TRUE(HasPattern(clone, 0, 4096));
  EXPECT_FALSE(HasPattern(clone, 8192, 4096));
  EXPECT_TRUE(HasPattern(top, 8192, 4096));
  EXPECT_EQ(driver_->Inspect(clone)->virtual_size, 32 * kMiB);
  // No data was copied: the overlays are tiny.
  EXPECT_LT(driver_->Inspect(clone)->actual_size, 1 * kMiB);
}

TEST_F(Qcow2StorageDriverTest, ImportDetectsFormatFromContent) {
  std::string raw = dir_ + "/disk.qcow2";  // a raw file, despite its name
  {
    std::ofstream f(raw, std::ios::binary);
    std::string sector(512, 'z');
    for (int i = 0; i < 2048; ++i) f << sector;
  }
  std::string id = NewResourceId("blob");
  ASSERT_TRUE(driver_->Import(id, raw).ok());
  auto info = driver_->Inspect(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->virtual_size, 1 * kMiB);
  EXPECT_EQ(info->format, "qcow2");
}

TEST_F(Qcow2StorageDriverTest, ImportRefusesImagesWithTheirOwnBackingFile) {
  std::string evil = dir_ + "/evil.qcow2";
  auto r = RunCommand({"qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/hostname", "-F",
                       "raw", evil, "1M"},
                      std::chrono::seconds(30));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  std::string id = NewResourceId("blob");
  EXPECT_EQ(driver_->Import(id, evil).code(), "InvalidParameterValue");
  EXPECT_TRUE(driver_->List().empty());
}

TEST_F(Qcow2StorageDriverTest, RefusesIdsThatAreNotBlobIds) {
  EXPECT_EQ(driver_->Create("../../etc/passwd", kMiB, "").code(), "InvalidParameterValue");
  EXPECT_EQ(driver_->Create(NewResourceId("blob"), kMiB, "../x").code(), "InvalidParameterValue");
  EXPECT_EQ(driver_->Delete("blob-zz").code(), "InvalidParameterValue");
}

TEST_F(Qcow2StorageDriverTest, CreateOnMissingBackingIsNotFoundAndLeavesNothing) {
  EXPECT_EQ(driver_->Create(NewResourceId("blob"), 0, NewResourceId("blob")).code(),
            "InvalidBlob.NotFound");
  EXPECT_TRUE(fs::is_empty(dir_ + "/storage"));
}

TEST_F(Qcow2StorageDriverTest, ReconcileRemovesPartialAndUnknownFiles) {
  std::string keep = NewResourceId("blob"), stray = NewResourceId("blob");
  ASSERT_TRUE(driver_->Create(keep, kMiB, "").ok());
  ASSERT_TRUE(driver_->Create(stray, kMiB, "").ok());
  std::ofstream(dir_ + "/storage/.tmp-" + NewResourceId("blob") + ".qcow2") << "partial";
  auto removed = driver_->Reconcile({keep});
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_EQ(driver_->List(), std::vector<std::string>{keep});
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ + "/storage"), fs::directory_iterator()), 1);
}

TEST(RunCommandTest, CapturesOutputAndExitCode) {
  auto r = RunCommand({"sh", "-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_FALSE(RunCommand({"/nonexistent/program"}, std::chrono::seconds(10)).ok());
}

}  // namespace
}  // namespace strato

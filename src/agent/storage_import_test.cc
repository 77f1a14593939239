#include "agent/storage_import.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "drivers/image_import/image_import.h"
#include "drivers/storage/qcow2_storage_driver.h"

namespace strato {
namespace {

namespace fs = std::filesystem;

// Against the real qemu-img in a fresh directory.
class StorageImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strato-import-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    driver_ = std::make_unique<Qcow2StorageDriver>(Qcow2StorageOptions{.root = dir_ + "/storage"});
    fs::create_directories(dir_ + "/uploads");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Spool(const std::string& blob_id) {
    std::string path = dir_ + "/uploads/" + blob_id + ".upload";
    std::ofstream f(path, std::ios::binary);
    std::string disk(1 << 20, '\0');
    disk.replace(512, 5, "hello");
    f << disk;
    return path;
  }

  std::string dir_;
  std::unique_ptr<Qcow2StorageDriver> driver_;
};

const std::string kBlob = "blob-0123456789abcdef0";

TEST_F(StorageImportTest, ConvertsTheSpoolIntoABaseBlobAndRemovesTheSpool) {
  StorageOp op{.type = "import", .blob_id = kBlob, .source_path = Spool(kBlob)};
  StorageReport r;
  ASSERT_TRUE(ImportBlob(*driver_, op, r).ok());
  auto info = driver_->Inspect(kBlob);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->virtual_size, 1 << 20);
  EXPECT_EQ(info->backing_id, "");
  EXPECT_FALSE(fs::exists(op.source_path));
  EXPECT_EQ(r.sha256, *FileSha256(driver_->Path(kBlob)));
  EXPECT_EQ(r.size_bytes, static_cast<int64_t>(fs::file_size(driver_->Path(kBlob))));
}

TEST_F(StorageImportTest, ARepeatAfterTheBlobExistsSucceedsWithTheSameFigures) {
  StorageOp op{.type = "import", .blob_id = kBlob, .source_path = Spool(kBlob)};
  StorageReport first, again;
  ASSERT_TRUE(ImportBlob(*driver_, op, first).ok());
  ASSERT_TRUE(ImportBlob(*driver_, op, again).ok());  // spool gone, blob there: idempotent
  EXPECT_EQ(first.sha256, again.sha256);
}

TEST_F(StorageImportTest, ALostSpoolIsAnErrorAndMakesNoBlob) {
  StorageOp op{.type = "import", .blob_id = kBlob,
               .source_path = dir_ + "/uploads/" + kBlob + ".upload"};
  StorageReport r;
  EXPECT_FALSE(ImportBlob(*driver_, op, r).ok());
  EXPECT_TRUE(driver_->List().empty());
}

TEST_F(StorageImportTest, StraySpoolsOfUnknownBlobsAreRemoved) {
  std::string kept = Spool(kBlob);
  std::string stray = Spool("blob-0123456789abcdef1");
  RemoveStraySpools(dir_ + "/uploads", {kBlob});
  EXPECT_TRUE(fs::exists(kept));
  EXPECT_FALSE(fs::exists(stray));
}

TEST(StorageMessagesTest, ImportOpsAndReportsRoundTrip) {
  StorageOp op{.type = "import", .blob_id = kBlob, .source_path = "/data/uploads/x.upload"};
  auto back = DecodeStorageOp(EncodeStorageOp(op));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, "import");
  EXPECT_EQ(back->source_path, op.source_path);
  StorageOp reconcile{.type = "reconcile", .known = {kBlob}, .source_path = "/data/uploads"};
  auto rb_op = DecodeStorageOp(EncodeStorageOp(reconcile));
  ASSERT_TRUE(rb_op.ok());
  EXPECT_EQ(rb_op->source_path, "/data/uploads");  // where stray spools are looked for
  EXPECT_EQ(rb_op->known, reconcile.known);
  StorageReport r{"import", kBlob, true, "", 4096, "ab12"};
  auto rb = DecodeStorageReport(EncodeStorageReport(r));
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->sha256, "ab12");
  EXPECT_EQ(rb->size_bytes, 4096);
}

}  // namespace
}  // namespace strato

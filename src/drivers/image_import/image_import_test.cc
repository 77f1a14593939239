// Real images made by the real tools (dd, mkfs.ext4, qemu-img, bzip2, gzip) imported end to
// end, and every way an upload can be bad.
#include "drivers/image_import/image_import.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/digest.h"
#include "common/subprocess.h"
#include "drivers/image_import/decompressor.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Serves a string in uneven pieces, like a network body.
ImageReadFn ReaderOf(std::string data) {
  auto state = std::make_shared<std::pair<std::string, size_t>>(std::move(data), 0);
  return [state](char* out, size_t max) -> Result<size_t> {
    auto& [d, at] = *state;
    size_t n = std::min({max, size_t{70001}, d.size() - at});
    d.copy(out, n, at);
    at += n;
    return n;
  };
}

void RunTool(const std::vector<std::string>& argv) {
  auto r = RunCaptured(argv, milliseconds(60000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->exit_code, 0) << argv[0] << ": " << r->error;
}

class ImageImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strato-import-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "src");
    // The classic flow: a raw disk with an ext4 file system holding hello.txt.
    raw_ = dir_ / "src/disk.raw";
    RunTool({"dd", "if=/dev/zero", "of=" + raw_.string(), "bs=1M", "count=16", "status=none"});
    fs::create_directories(dir_ / "src/root");
    std::ofstream(dir_ / "src/root/hello.txt") << "hello from strato\n";
    RunTool({"mkfs.ext4", "-q", "-F", "-d", (dir_ / "src/root").string(), raw_.string()});
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<ImportedImage> Import(std::string bytes) {
    return ImportImage(ReaderOf(std::move(bytes)), (dir_ / "scratch").string(), dest());
  }
  std::string dest() const { return (dir_ / "repo/image.qcow2").string(); }
  std::string Compressed(const char* tool) {
    RunTool({"sh", "-c", std::string(tool) + " -c " + raw_.string() + " > " + raw_.string() + ".z"});
    return ReadFile(raw_.string() + ".z");
  }
  // The scratch directory holds nothing after an import, whatever its outcome.
  void ExpectNoScratchLeft() {
    if (fs::exists(dir_ / "scratch")) {
      EXPECT_TRUE(fs::is_empty(dir_ / "scratch"));
    }
  }
  // The stored image holds the same disk as the raw original.
  void ExpectSameDisk() {
    RunTool({"qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw_.string(), dest()});
  }

  fs::path dir_;
  fs::path raw_;
};

TEST_F(ImageImportTest, RawBecomesQcow2WithTheSameDisk) {
  auto r = Import(ReadFile(raw_));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source_format, "raw");
  EXPECT_EQ(r->compression, "none");
  EXPECT_EQ(r->virtual_size, 16u << 20);
  EXPECT_EQ(r->uploaded_bytes, 16u << 20);
  EXPECT_EQ(r->sha256, Sha256Hex(ReadFile(dest())));
  EXPECT_LT(r->stored_bytes, 16u << 20);  // compact: the zeros are not stored
  ExpectSameDisk();
  ExpectNoScratchLeft();
}

TEST_F(ImageImportTest, Bzip2AndGzipCompressedRawAreDecompressed) {
  for (const char* tool : {"bzip2", "gzip"}) {
    SCOPED_TRACE(tool);
    std::string z = Compressed(tool);
    auto r = Import(z);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->compression, tool);
    EXPECT_EQ(r->source_format, "raw");
    EXPECT_EQ(r->uploaded_bytes, z.size());
    ExpectSameDisk();
    ExpectNoScratchLeft();
  }
}

TEST_F(ImageImportTest, Qcow2IsRecognisedByContent) {
  RunTool({"qemu-img", "convert", "-O", "qcow2", raw_.string(), raw_.string() + ".q"});
  auto r = Import(ReadFile(raw_.string() + ".q"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source_format, "qcow2");
  ExpectSameDisk();
}

TEST_F(ImageImportTest, TruncatedCompressedUploadsAreRefusedAndLeaveNothing) {
  for (const char* tool : {"bzip2", "gzip"}) {
    SCOPED_TRACE(tool);
    std::string z = Compressed(tool);
    auto r = Import(z.substr(0, z.size() / 2));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), "InvalidParameterValue");
    EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
    EXPECT_FALSE(fs::exists(dest()));
    ExpectNoScratchLeft();
  }
}

TEST_F(ImageImportTest, CorruptCompressedDataIsRefused) {
  std::string z = Compressed("bzip2");
  for (size_t i = 200; i < 260; ++i) z[i] = static_cast<char>(z[i] ^ 0x5a);
  auto r = Import(z);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "InvalidParameterValue");
  EXPECT_FALSE(fs::exists(dest()));
}

TEST_F(ImageImportTest, TruncatedQcow2IsRefused) {
  RunTool({"qemu-img", "convert", "-O", "qcow2", raw_.string(), raw_.string() + ".q"});
  std::string q = ReadFile(raw_.string() + ".q");
  auto r = Import(q.substr(0, q.size() / 3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "InvalidParameterValue") << r.status().ToString();
  EXPECT_FALSE(fs::exists(dest()));
  ExpectNoScratchLeft();
}

TEST_F(ImageImportTest, Qcow2WithABackingFileIsRefused) {
  RunTool({"qemu-img", "convert", "-O", "qcow2", raw_.string(), raw_.string() + ".base"});
  RunTool({"qemu-img", "create", "-q", "-f", "qcow2", "-b", raw_.string() + ".base", "-F", "qcow2",
       raw_.string() + ".overlay"});
  auto r = Import(ReadFile(raw_.string() + ".overlay"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("backing"), std::string::npos) << r.status().message();
}

TEST_F(ImageImportTest, EmptyAndUnsupportedUploadsAreRefused) {
  EXPECT_EQ(Import("").status().code(), "InvalidParameterValue");
  RunTool({"qemu-img", "convert", "-O", "vmdk", raw_.string(), raw_.string() + ".vmdk"});
  auto r = Import(ReadFile(raw_.string() + ".vmdk"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("vmdk"), std::string::npos) << r.status().message();
  ExpectNoScratchLeft();
}

TEST_F(ImageImportTest, ReaderErrorsPassThroughUnchanged) {
  auto failing = [](char*, size_t) -> Result<size_t> {
    return BadRequest("IncompleteBody", "The request body ended early.");
  };
  auto r = ImportImage(failing, (dir_ / "scratch").string(), dest());
  EXPECT_EQ(r.status().code(), "IncompleteBody");
  ExpectNoScratchLeft();
}

// The spool keeps every byte, in pieces that split blocks anywhere, and leaves whole zero
// blocks as holes; a partial block of data at the very end is kept too.
TEST_F(ImageImportTest, SpoolKeepsEveryByteAndLeavesZeroBlocksAsHoles) {
  std::string bytes = ReadFile(raw_);
  bytes.append(4096 * 64, '\0');  // a zero run the ext4 image does not end with
  bytes.append(1000, 'x');         // an unaligned tail of data
  const std::string spool = (dir_ / "spool/image").string();
  auto r = SpoolImage(ReaderOf(bytes), spool, ImageImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_bytes, bytes.size());
  EXPECT_EQ(ReadFile(spool), bytes);
  struct stat st {};
  ASSERT_EQ(::stat(spool.c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, bytes.size() / 2);  // mostly holes
}

TEST(DecompressorTest, ConcatenatedGzipMembersDecompressWhole) {
  std::string a, b;
  auto dir = fs::temp_directory_path() / ("strato-gz-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a") << "first part;";
  std::ofstream(dir / "b") << "second part";
  RunTool({"sh", "-c", "cd " + dir.string() + " && gzip -c a > ab.gz && gzip -c b >> ab.gz"});
  std::string z = ReadFile(dir / "ab.gz");
  fs::remove_all(dir);
  auto d = MakeDecompressorFor(z);
  std::string out;
  ASSERT_TRUE(d->Feed(z, [&](std::string_view s) { out.append(s); return OkStatus(); }).ok());
  EXPECT_TRUE(d->Finish().ok());
  EXPECT_EQ(out, "first part;second part");
}

}  // namespace
}  // namespace strato

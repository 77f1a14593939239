#include "common/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace strato {
namespace {

namespace fs = std::filesystem;

SecretBox::Key TestKey(unsigned char fill) {
  SecretBox::Key key;
  key.fill(fill);
  return key;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "secret_box_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

TEST(SecretBoxTest, SealOpenRoundTrip) {
  SecretBox box = SecretBox::FromKey(TestKey(7));
  std::string sealed = box.Seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(sealed.size(), SecretBox::kNonceBytes + 40 + SecretBox::kTagBytes);
  EXPECT_EQ(sealed.find("wJalrXUtnFEMI"), std::string::npos);
  Result<std::string> opened = box.Open(sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}

TEST(SecretBoxTest, EmptyAndBinaryPlaintexts) {
  SecretBox box = SecretBox::FromKey(TestKey(1));
  EXPECT_EQ(*box.Open(box.Seal("")), "");
  std::string binary("\0\xff\0abc", 6);
  EXPECT_EQ(*box.Open(box.Seal(binary)), binary);
}

TEST(SecretBoxTest, SealingTwiceUsesFreshNonces) {
  SecretBox box = SecretBox::FromKey(TestKey(2));
  EXPECT_NE(box.Seal("same"), box.Seal("same"));
}

TEST(SecretBoxTest, AnyFlippedBitIsRejected) {
  SecretBox box = SecretBox::FromKey(TestKey(3));
  const std::string sealed = box.Seal("secret");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    Result<std::string> opened = box.Open(tampered);
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), "InternalError");
  }
}

TEST(SecretBoxTest, TruncatedAndForeignDataRejected) {
  SecretBox box = SecretBox::FromKey(TestKey(4));
  std::string sealed = box.Seal("secret");
  EXPECT_FALSE(box.Open(sealed.substr(0, sealed.size() - 1)).ok());
  EXPECT_FALSE(box.Open("").ok());
  EXPECT_FALSE(box.Open(std::string(SecretBox::kNonceBytes + SecretBox::kTagBytes - 1, 'x')).ok());
  EXPECT_FALSE(SecretBox::FromKey(TestKey(5)).Open(sealed).ok());  // other key
}

TEST(SecretBoxTest, LoadOrCreateMakesPrivateKeyAndReloadsIt) {
  TempDir dir;
  std::string path = dir.File("secret.key");
  Result<SecretBox> first = SecretBox::LoadOrCreate(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);

  std::string sealed = first->Seal("persisted");
  Result<SecretBox> second = SecretBox::LoadOrCreate(path);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second->Open(sealed), "persisted");
  // Only the key itself is left behind, no temporary file.
  EXPECT_EQ(
      std::distance(fs::directory_iterator(fs::path(path).parent_path()), fs::directory_iterator{}),
      1);
}

TEST(SecretBoxTest, WrongSizedKeyFileIsAnErrorAndLeftAlone) {
  TempDir dir;
  std::string path = dir.File("short.key");
  std::ofstream(path) << "only sixteen byt";
  Result<SecretBox> box = SecretBox::LoadOrCreate(path);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.status().code(), "InternalError");
  EXPECT_NE(box.status().message().find("16 bytes"), std::string::npos);
  EXPECT_EQ(fs::file_size(path), 16u);
}

TEST(SecretBoxTest, MissingDirectoryIsAnError) {
  TempDir dir;
  Result<SecretBox> box = SecretBox::LoadOrCreate(dir.File("no/such/dir/secret.key"));
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.status().http_status(), 500);
}

TEST(SecretBoxTest, ConcurrentLoadOrCreateAgreesOnOneKey) {
  TempDir dir;
  std::string path = dir.File("race.key");
  // Threads share a pid, so this also covers processes racing on temp-file names.
  constexpr int kThreads = 4;
  std::vector<std::string> sealed(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<SecretBox> box = SecretBox::LoadOrCreate(path);
      if (box.ok()) sealed[t] = box->Seal("shared");
    });
  }
  for (auto& th : threads) th.join();
  Result<SecretBox> box = SecretBox::LoadOrCreate(path);
  ASSERT_TRUE(box.ok());
  for (int t = 0; t < kThreads; ++t) {
    Result<std::string> opened = box->Open(sealed[t]);
    ASSERT_TRUE(opened.ok()) << "thread " << t << ": " << opened.status().ToString();
    EXPECT_EQ(*opened, "shared");
  }
}

}  // namespace
}  // namespace strato

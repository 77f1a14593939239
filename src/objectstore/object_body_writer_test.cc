#include "objectstore/object_body_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common/digest.h"

namespace strato {
namespace {

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 131 + i / 7);
  return s;
}

// A body that hands out at most `step` bytes per read, like a socket.
ByteReadFn ReaderOf(const std::string& body, size_t step) {
  auto at = std::make_shared<size_t>(0);
  return [&body, step, at](char* out, size_t max) -> Result<size_t> {
    size_t n = std::min({max, step, body.size() - *at});
    std::memcpy(out, body.data() + *at, n);
    *at += n;
    return n;
  };
}

class ObjectBodyWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/object_body_writer_test.XXXXXX";
    fd_ = ::mkstemp(name);
    ASSERT_GE(fd_, 0);
    ::unlink(name);
  }
  void TearDown() override { ::close(fd_); }
  std::string FileContents() {
    std::string s(static_cast<size_t>(::lseek(fd_, 0, SEEK_END)), '\0');
    EXPECT_EQ(::pread(fd_, s.data(), s.size(), 0), static_cast<ssize_t>(s.size()));
    return s;
  }
  int fd_ = -1;
};

TEST_F(ObjectBodyWriterTest, LargeBodyInOddReadsIsWrittenAndHashedExactly) {
  // Many blocks (the background MD5 path, several write-behind windows), reads that do not
  // divide the block size.
  const std::string body = Bytes((21 << 20) + 4321);
  WrittenFile out;
  ASSERT_TRUE(WriteObjectBody(fd_, ReaderOf(body, 99991), body.size(), true, out).ok());
  EXPECT_EQ(out.size, static_cast<int64_t>(body.size()));
  EXPECT_EQ(out.md5_hex, Md5Hex(body));
  EXPECT_EQ(out.sha256_hex, Sha256Hex(body));
  EXPECT_TRUE(FileContents() == body);
}

TEST_F(ObjectBodyWriterTest, SmallAndEmptyBodies) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, size_t{1} << 20}) {
    ASSERT_EQ(::ftruncate(fd_, 0), 0);
    ::lseek(fd_, 0, SEEK_SET);
    const std::string body = Bytes(n);
    WrittenFile out;
    ASSERT_TRUE(WriteObjectBody(fd_, ReaderOf(body, 1 << 20), body.size(), false, out).ok());
    EXPECT_EQ(out.md5_hex, Md5Hex(body)) << n;
    EXPECT_TRUE(out.sha256_hex.empty());
    EXPECT_TRUE(FileContents() == body) << n;
  }
}

TEST_F(ObjectBodyWriterTest, OverTheLimitIsEntityTooLarge) {
  const std::string body = Bytes(3 << 20);
  WrittenFile out;
  Status s = WriteObjectBody(fd_, ReaderOf(body, 65536), body.size() - 1, false, out);
  EXPECT_EQ(s.code(), "EntityTooLarge");
}

TEST_F(ObjectBodyWriterTest, ReaderErrorIsReturnedWhileAHashIsInFlight) {
  const std::string body = Bytes(5 << 20);
  auto inner = ReaderOf(body, 1 << 20);
  size_t given = 0;
  ByteReadFn failing = [&](char* out, size_t max) -> Result<size_t> {
    if (given >= (3 << 20)) return BadRequest("IncompleteBody", "broken off");
    auto n = inner(out, max);
    if (n.ok()) given += *n;
    return n;
  };
  WrittenFile out;
  EXPECT_EQ(WriteObjectBody(fd_, failing, body.size(), false, out).code(), "IncompleteBody");
}

}  // namespace
}  // namespace strato

#include "objectstore/background_hasher.h"

#include <gtest/gtest.h>

#include <string>

namespace strato {
namespace {

std::string Bytes(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 31 + i / 257);
  return s;
}

TEST(BackgroundHasherTest, DigestOfAlternatingBlocksEqualsTheOneShotDigest) {
  // Two buffers reused in turn, as ObjectFiles fills them: each is overwritten only after
  // the next Submit, so a hasher reading a stale or reused buffer changes the digest.
  std::string whole;
  std::string buffers[2];
  BackgroundHasher hasher(Hasher::Md5());
  for (int i = 0; i < 9; ++i) {
    std::string& b = buffers[i % 2];
    b = Bytes(100000 + i * 777, static_cast<char>(i));
    whole += b;
    hasher.Submit(b);
  }
  EXPECT_EQ(hasher.FinishHex(), Md5Hex(whole));
}

TEST(BackgroundHasherTest, NothingSubmittedGivesTheEmptyDigest) {
  BackgroundHasher hasher(Hasher::Sha256());
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex(""));
}

TEST(BackgroundHasherTest, DestroyedWithABlockInFlightWaitsForIt) {
  std::string block = Bytes(4 << 20, 'x');
  {
    BackgroundHasher hasher(Hasher::Md5());
    hasher.Submit(block);
  }  // must not return while the thread still reads `block`
  block.assign(block.size(), '\0');
  SUCCEED();
}

}  // namespace
}  // namespace strato

#include "cli/memory_size.h"

#include <gtest/gtest.h>

namespace strato::cli {
namespace {

uint64_t Mib(std::string_view text) {
  auto r = ParseMemoryMib(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

TEST(MemorySizeTest, PlainNumberIsMib) {
  EXPECT_EQ(Mib("2048"), 2048u);
  EXPECT_EQ(Mib(" 512 "), 512u);
}

TEST(MemorySizeTest, BinarySuffixes) {
  EXPECT_EQ(Mib("512MiB"), 512u);
  EXPECT_EQ(Mib("16GiB"), 16384u);
  EXPECT_EQ(Mib("16gib"), 16384u);
  EXPECT_EQ(Mib("16G"), 16384u);
  EXPECT_EQ(Mib("256 GiB"), 262144u);
  EXPECT_EQ(Mib("1TiB"), 1048576u);
  EXPECT_EQ(Mib("2t"), 2097152u);
}

TEST(MemorySizeTest, FractionsThatAreWholeMib) {
  EXPECT_EQ(Mib("1.5GiB"), 1536u);
  EXPECT_EQ(Mib("0.25TiB"), 262144u);
  EXPECT_EQ(Mib("0.5G"), 512u);
}

TEST(MemorySizeTest, RejectsBadInput) {
  for (const char* bad : {"", "GiB", "abc", "16GB", "16MB", "16 XiB", "1.5", "0", "0GiB", "1.",
                          "-1GiB", "1.0000001GiB", "99999999999999999999", "17592186044416TiB"}) {
    auto r = ParseMemoryMib(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), "InvalidParameterValue");
      EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos)
          << r.status().message();
    }
  }
}

}  // namespace
}  // namespace strato::cli

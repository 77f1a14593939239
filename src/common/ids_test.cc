#include "common/ids.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <thread>
#include <vector>

namespace strato {
namespace {

TEST(IdsTest, ResourceIdHasEc2Shape) {
  std::string id = NewResourceId("i");
  ASSERT_EQ(id.size(), 19u);
  EXPECT_EQ(id.substr(0, 2), "i-");
  EXPECT_TRUE(IsResourceId(id, "i"));
  EXPECT_FALSE(IsResourceId(id, "vol"));
  EXPECT_TRUE(IsResourceId(NewResourceId("snap"), "snap"));
}

TEST(IdsTest, IsResourceIdIsExact) {
  EXPECT_TRUE(IsResourceId("i-0a1b2c3d4e5f60718", "i"));
  EXPECT_FALSE(IsResourceId("i-0a1b2c3d4e5f6071", "i"));    // 16 digits
  EXPECT_FALSE(IsResourceId("i-0a1b2c3d4e5f607189", "i"));  // 18 digits
  EXPECT_FALSE(IsResourceId("i-0A1B2C3D4E5F60718", "i"));   // uppercase
  EXPECT_FALSE(IsResourceId("i_0a1b2c3d4e5f60718", "i"));   // no dash
  EXPECT_FALSE(IsResourceId("i-0a1b2c3d4e5f6071g", "i"));   // not hex
  EXPECT_FALSE(IsResourceId("vol-0a1b2c3d4e5f60718", "i"));
  EXPECT_FALSE(IsResourceId("", "i"));
}

TEST(IdsTest, ResourceIdsAreUniqueAndUseEveryDigit) {
  std::set<std::string> seen;
  std::set<char> digits;
  for (int i = 0; i < 5000; ++i) {
    std::string id = NewResourceId("vol");
    EXPECT_TRUE(seen.insert(id).second) << id;
    for (char c : id.substr(4)) digits.insert(c);
  }
  EXPECT_EQ(digits.size(), 16u);  // a broken generator (e.g. only 0-9) would show here
}

TEST(IdsTest, ConcurrentGenerationStaysUnique) {
  constexpr int kThreads = 4, kPerThread = 2000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(NewResourceId("i"));
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(IdsTest, AccessKeyIdShape) {
  std::string id = NewAccessKeyId();
  ASSERT_EQ(id.size(), 20u);
  EXPECT_EQ(id.substr(0, 4), "AKIA");
  for (char c : id.substr(4)) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << c;
  EXPECT_TRUE(IsAccessKeyId(id));
  EXPECT_NE(NewAccessKeyId(), id);
}

TEST(IdsTest, IsAccessKeyIdRejectsOtherShapes) {
  EXPECT_TRUE(IsAccessKeyId("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(IsAccessKeyId("AKIDEXAMPLE"));
  EXPECT_FALSE(IsAccessKeyId("AKIAIOSFODNN7EXAMPL1"));  // '1' is not base32
  EXPECT_FALSE(IsAccessKeyId("AKIAiosfodnn7example"));
  EXPECT_FALSE(IsAccessKeyId("ASIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(IsAccessKeyId("AKIAIOSFODNN7EXAMPLEX"));
}

TEST(IdsTest, SecretAccessKeyShape) {
  std::string secret = NewSecretAccessKey();
  ASSERT_EQ(secret.size(), 40u);
  for (char c : secret) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') << c;
  }
  EXPECT_NE(NewSecretAccessKey(), secret);
}

TEST(IdsTest, RequestIdIsUuidV4) {
  std::string id = NewRequestId();
  ASSERT_EQ(id.size(), 36u);
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      EXPECT_EQ(id[i], '-');
    } else {
      EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(id[i])) && !std::isupper(id[i]));
    }
  }
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_NE(NewRequestId(), id);
}

}  // namespace
}  // namespace strato

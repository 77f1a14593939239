#include "api/digest_checked_body.h"

#include <gtest/gtest.h>

#include "api/router.h"
#include "common/digest.h"

namespace strato::api {
namespace {

// Serves a fixed string in small pieces, as a network body would arrive.
class StringBody final : public http::BodyStream {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* out, size_t max) override {
    size_t n = std::min({max, size_t{7}, data_.size() - at_});
    data_.copy(out, n, at_);
    at_ += n;
    return n;
  }
  std::optional<uint64_t> content_length() const override { return data_.size(); }

 private:
  std::string data_;
  size_t at_ = 0;
};

Result<std::string> ReadAll(http::BodyStream& body) {
  std::string all;
  char buf[64];
  while (true) {
    auto n = body.Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return all;
    all.append(buf, *n);
  }
}

TEST(DigestCheckedBodyTest, MatchingDigestPassesTheBodyThrough) {
  const std::string data(1000, 'q');
  StringBody inner(data);
  DigestCheckedBody checked(inner, Sha256Hex(data));
  auto all = ReadAll(checked);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, data);
  EXPECT_EQ(checked.content_length(), data.size());
}

TEST(DigestCheckedBodyTest, WrongDigestFailsAtTheEndNotBefore) {
  StringBody inner("some bytes");
  DigestCheckedBody checked(inner, Sha256Hex("other bytes"));
  char buf[4];
  EXPECT_EQ(*checked.Read(buf, sizeof buf), 4u);  // bytes flow until the end is reached
  auto all = ReadAll(checked);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), "SignatureDoesNotMatch");
  EXPECT_EQ(all.status().http_status(), 403);
}

TEST(DigestCheckedBodyTest, UnsignedPayloadIsNotChecked) {
  StringBody inner("anything");
  DigestCheckedBody checked(inner, "");
  EXPECT_EQ(*ReadAll(checked), "anything");
}

TEST(RouterTest, StreamingRoutesAreKnownBeforeTheBodyIsRead) {
  Router router;
  auto handler = [](http::Request&, const PathParams&) { return http::Response{}; };
  router.Add("PUT", "/v1/images/{id}/data", handler, /*streaming=*/true);
  router.Add("GET", "/v1/images/{id}", handler);
  EXPECT_TRUE(router.Streams("PUT", "/v1/images/ami-1/data"));
  EXPECT_FALSE(router.Streams("GET", "/v1/images/ami-1/data"));
  EXPECT_FALSE(router.Streams("GET", "/v1/images/ami-1"));
  EXPECT_TRUE(router.Find("PUT", "/v1/images/ami-1/data").streaming);
}

TEST(ChecksumCheckedBodyTest, MatchingChecksumPassesAndReportsTheValue) {
  const std::string data(1000, 'z');
  StringBody inner(data);
  const std::string crc = ChecksumBase64(ChecksumAlgorithm::kCrc32c, data);
  std::string verified;
  ChecksumCheckedBody checked(inner, ChecksumAlgorithm::kCrc32c, [&] { return std::optional(crc); },
                              &verified);
  auto all = ReadAll(checked);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, data);
  EXPECT_EQ(verified, crc);
}

TEST(ChecksumCheckedBodyTest, MismatchIsBadDigestAtTheEnd) {
  StringBody inner("some bytes");
  std::string verified;
  ChecksumCheckedBody checked(
      inner, ChecksumAlgorithm::kSha1,
      [] { return std::optional(ChecksumBase64(ChecksumAlgorithm::kSha1, "other bytes")); },
      &verified);
  char buf[4];
  ASSERT_TRUE(checked.Read(buf, sizeof buf).ok());  // bytes flow until the end
  auto all = ReadAll(checked);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), "BadDigest");
  EXPECT_EQ(all.status().http_status(), 400);
  EXPECT_EQ(verified, "");
}

TEST(ChecksumCheckedBodyTest, MissingOrMalformedValueIsInvalidRequest) {
  for (std::optional<std::string> value :
       {std::optional<std::string>(), std::optional<std::string>("%%%"),
        std::optional<std::string>(ChecksumBase64(ChecksumAlgorithm::kSha256, "x"))}) {
    StringBody inner("x");
    ChecksumCheckedBody checked(inner, ChecksumAlgorithm::kCrc32, [&] { return value; }, nullptr);
    auto all = ReadAll(checked);
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.status().code(), "InvalidRequest");
  }
}

}  // namespace
}  // namespace strato::api

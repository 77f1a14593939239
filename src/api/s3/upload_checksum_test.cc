#include "api/s3/upload_checksum.h"

#include <gtest/gtest.h>

namespace strato::api::s3 {
namespace {

http::Request WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  http::Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(UploadChecksumTest, NoneDeclared) {
  auto c = ParseUploadChecksum(WithHeaders({{"content-md5", "x"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->algorithm);
}

TEST(UploadChecksumTest, HeaderValueOrTrailer) {
  auto h = ParseUploadChecksum(WithHeaders({{"x-amz-checksum-crc32c", "AAAAAA=="}}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->algorithm, ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(h->header_value, "AAAAAA==");
  auto t = ParseUploadChecksum(WithHeaders(
      {{"x-amz-trailer", "x-amz-checksum-sha256"}, {"x-amz-sdk-checksum-algorithm", "SHA256"}}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->algorithm, ChecksumAlgorithm::kSha256);
  EXPECT_FALSE(t->header_value);
}

TEST(UploadChecksumTest, ConflictsAndUnknownsAreInvalidRequest) {
  for (auto headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"x-amz-checksum-crc32", "a"}, {"x-amz-checksum-sha1", "b"}},
           {{"x-amz-checksum-crc32", "a"}, {"x-amz-trailer", "x-amz-checksum-sha1"}},
           {{"x-amz-trailer", "x-amz-checksum-md5"}},
           {{"x-amz-sdk-checksum-algorithm", "MD4"}},
           {{"x-amz-sdk-checksum-algorithm", "CRC32"}, {"x-amz-checksum-sha1", "b"}}}) {
    auto c = ParseUploadChecksum(WithHeaders(headers));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), "InvalidRequest");
  }
}

TEST(UploadChecksumTest, StoredChecksumBecomesItsResponseHeader) {
  using Headers = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ChecksumResponseHeaders("CRC32:DUoRhQ=="),
            (Headers{{"x-amz-checksum-crc32", "DUoRhQ=="}}));
  EXPECT_EQ(ChecksumResponseHeaders("SHA256:2gkrB+WmniPu/8FqZpmAJetVuTqDDc0KBe1aPGb6ddI=-3"),
            (Headers{{"x-amz-checksum-sha256", "2gkrB+WmniPu/8FqZpmAJetVuTqDDc0KBe1aPGb6ddI=-3"},
                     {"x-amz-checksum-type", "COMPOSITE"}}));
  EXPECT_TRUE(ChecksumResponseHeaders("").empty());
}

TEST(UploadChecksumTest, MultipartAlgorithmIsOneOfTheFour) {
  auto none = ParseMultipartAlgorithm(WithHeaders({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  auto sha = ParseMultipartAlgorithm(WithHeaders({{"x-amz-checksum-algorithm", "SHA256"}}));
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, ChecksumAlgorithm::kSha256);
  auto composite = ParseMultipartAlgorithm(WithHeaders(
      {{"x-amz-checksum-algorithm", "CRC32C"}, {"x-amz-checksum-type", "COMPOSITE"}}));
  ASSERT_TRUE(composite.ok());
  EXPECT_EQ(*composite, ChecksumAlgorithm::kCrc32c);
  for (auto headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"x-amz-checksum-algorithm", "MD5"}},
           {{"x-amz-checksum-algorithm", ""}},
           {{"x-amz-checksum-algorithm", "CRC32"}, {"x-amz-checksum-type", "FULL_OBJECT"}}}) {
    auto a = ParseMultipartAlgorithm(WithHeaders(headers));
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.status().code(), "InvalidRequest");
  }
  EXPECT_EQ(ChecksumElementName(ChecksumAlgorithm::kCrc32c), "ChecksumCRC32C");
}

}  // namespace
}  // namespace strato::api::s3

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
  auto h = ChecksumResponseHeader("CRC32:DUoRhQ==");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->first, "x-amz-checksum-crc32");
  EXPECT_EQ(h->second, "DUoRhQ==");
  EXPECT_FALSE(ChecksumResponseHeader(""));
}

}  // namespace
}  // namespace strato::api::s3

#include "common/checksum.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "common/hex.h"

namespace strato {
namespace {

std::string HexOf(const std::string& base64) { return HexEncode(*Base64Decode(base64)); }

TEST(Checksum, CheckValuesOfTheStandardTestString) {
  // The "check" values of the CRC catalogue for "123456789", big-endian as S3 sends them.
  EXPECT_EQ(HexOf(ChecksumBase64(ChecksumAlgorithm::kCrc32, "123456789")), "cbf43926");
  EXPECT_EQ(HexOf(ChecksumBase64(ChecksumAlgorithm::kCrc32c, "123456789")), "e3069283");
  EXPECT_EQ(HexOf(ChecksumBase64(ChecksumAlgorithm::kSha1, "abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(HexOf(ChecksumBase64(ChecksumAlgorithm::kSha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Checksum, EmptyInputAndTheValueS3Documents) {
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32, ""), "AAAAAA==");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32c, ""), "AAAAAA==");
  // As aws_chunked_body_test's trailer: crc32("hello world").
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32, "hello world"), "DUoRhQ==");
}

TEST(Checksum, IncrementalEqualsOneShot) {
  std::string data(100000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + 3);
  for (auto a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                 ChecksumAlgorithm::kSha256}) {
    ChecksumHasher h(a);
    for (size_t at = 0; at < data.size(); at += 777)
      h.Update(std::string_view(data).substr(at, 777));
    EXPECT_EQ(h.FinishBase64(), ChecksumBase64(a, data)) << ToString(a);
  }
}

TEST(Checksum, NamesAndHeaders) {
  EXPECT_EQ(ParseChecksumAlgorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("SHA256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ParseChecksumAlgorithm("md5"), std::nullopt);
  EXPECT_EQ(ChecksumHeader(ChecksumAlgorithm::kSha1), "x-amz-checksum-sha1");
  EXPECT_EQ(ChecksumSize(ChecksumAlgorithm::kCrc32), 4u);
  auto parsed = ParseStoredChecksum(StoredChecksum(ChecksumAlgorithm::kCrc32c, "AAAAAA=="));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->algorithm, ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(parsed->base64, "AAAAAA==");
  EXPECT_FALSE(ParseStoredChecksum(""));
  EXPECT_FALSE(ParseStoredChecksum("MD5:x"));
}

}  // namespace
}  // namespace strato

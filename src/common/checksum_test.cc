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

// Expected values computed once with Python's hashlib / zlib (and a bitwise CRC-32C) over the
// raw digests of "part one", "part two" and 1000 × 'x'.
TEST(CompositeChecksum, KnownVectors) {
  const std::vector<std::string> inputs = {"part one", "part two", std::string(1000, 'x')};
  struct Case {
    ChecksumAlgorithm algorithm;
    std::vector<std::string> parts;
    std::string composite;
  };
  const Case cases[] = {
      {ChecksumAlgorithm::kSha256,
       {"/tfwXBC8ldWX5vgQMijEwQeYtfdyFfcYqFRTTaVj3J4=",
        "6laDy6WANfTzuTcCPLpwTwvkdmuspd1N7uRgvdEJF0E=",
        "RPg1RJSlugO6F5Ko0+nFNMR6kYGYD956P0SwbvKufH8="},
       "2gkrB+WmniPu/8FqZpmAJetVuTqDDc0KBe1aPGb6ddI=-3"},
      {ChecksumAlgorithm::kSha1,
       {"9kLGfNcsupOqCawlFyVo3wUoWdw=", "FIIcBZ4/CQUr+rSbkk5lyfgL1i4=",
        "w++mkPo/3S4lJoU+7WcFOOoSdjg="},
       "CoyzDElqIIBp9I7JIhW8YIdl8nE=-3"},
      {ChecksumAlgorithm::kCrc32, {"ixQTsA==", "4LIfJw==", "O0HJ5g=="}, "QCrLEQ==-3"},
      {ChecksumAlgorithm::kCrc32c, {"foplgw==", "BsZkyQ==", "YXFUyQ=="}, "6lqS1Q==-3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(ToString(c.algorithm));
    for (size_t i = 0; i < inputs.size(); ++i) {
      EXPECT_EQ(ChecksumBase64(c.algorithm, inputs[i]), c.parts[i]);
    }
    auto composite = CompositeChecksumBase64(c.algorithm, c.parts);
    ASSERT_TRUE(composite);
    EXPECT_EQ(*composite, c.composite);
    EXPECT_TRUE(IsCompositeChecksum(*composite));
    EXPECT_FALSE(IsCompositeChecksum(c.parts[0]));
  }
}

TEST(CompositeChecksum, OnePartIsStillComposed) {
  // sha256(sha256("only")), not sha256("only"): one part is a composite of one.
  EXPECT_EQ(*CompositeChecksumBase64(ChecksumAlgorithm::kSha256,
                                     {ChecksumBase64(ChecksumAlgorithm::kSha256, "only")}),
            "x0il6nOphE0d1ANLmCj+CNYk/X6FJTpPBVdSsQwhMO8=-1");
}

TEST(CompositeChecksum, MalformedOrMissingPartsGiveNothing) {
  EXPECT_FALSE(CompositeChecksumBase64(ChecksumAlgorithm::kSha256, {}));
  EXPECT_FALSE(CompositeChecksumBase64(ChecksumAlgorithm::kSha256, {"not base64!"}));
  // A CRC where a SHA-256 digest belongs.
  EXPECT_FALSE(CompositeChecksumBase64(ChecksumAlgorithm::kSha256, {"ixQTsA=="}));
}

}  // namespace
}  // namespace strato

#include "common/digest.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "common/uri.h"

namespace strato {
namespace {

TEST(DigestTest, Sha256KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
}

TEST(DigestTest, Md5KnownAnswers) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("hello"), "5d41402abc4b2a76b9719d911017c592");
}

TEST(DigestTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DigestTest, HmacKeyLongerThanBlockIsHashedFirst) {
  // RFC 4231 test case 6: 131-byte key of 0xaa.
  std::string key(131, '\xaa');
  EXPECT_EQ(HexEncode(HmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(DigestTest, StreamingHasherMatchesOneShot) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += static_cast<char>(i * 7);
  Hasher sha = Hasher::Sha256();
  Hasher md5 = Hasher::Md5();
  for (size_t pos = 0; pos < data.size(); pos += 333) {
    sha.Update(std::string_view(data).substr(pos, 333));
    md5.Update(std::string_view(data).substr(pos, 333));
  }
  EXPECT_EQ(sha.FinishHex(), Sha256Hex(data));
  EXPECT_EQ(md5.FinishHex(), Md5Hex(data));
}

TEST(DigestTest, MovedHasherKeepsState) {
  Hasher a = Hasher::Sha256();
  a.Update("ab");
  Hasher b = std::move(a);
  b.Update("c");
  EXPECT_EQ(b.FinishHex(), Sha256Hex("abc"));
}

TEST(HexTest, EncodeDecodeRoundTrip) {
  std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(bytes), "0001abff");
  EXPECT_EQ(HexDecode("0001ABff"), bytes);
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
  EXPECT_TRUE(IsLowerHex("0123456789abcdef"));
  EXPECT_FALSE(IsLowerHex("ABC"));
}

TEST(UriTest, EncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c/d*", true), "a%20b%2Bc%2Fd%2A");
  EXPECT_EQ(UriEncode("a b+c/d*", false), "a%20b%2Bc/d%2A");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", true), "%E1%88%B4");
  EXPECT_EQ(UriEncode("%", true), "%25");
}

TEST(UriTest, DecodeIsRfc3986NotForms) {
  EXPECT_EQ(UriDecode("a%20b+c%2f%2F"), "a b+c//");
  EXPECT_EQ(UriDecode("%E1%88%B4"), "\xe1\x88\xb4");
  // Malformed escapes pass through instead of failing or reading past the end.
  EXPECT_EQ(UriDecode("100%"), "100%");
  EXPECT_EQ(UriDecode("%4"), "%4");
  EXPECT_EQ(UriDecode("%zz"), "%zz");
}

}  // namespace
}  // namespace strato

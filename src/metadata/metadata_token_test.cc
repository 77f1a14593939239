#include "metadata/metadata_token.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace strato {
namespace {

TEST(MetadataTokenTest, ValidUntilItsTtlEnds) {
  MetadataTokenSigner signer("k");
  std::string t = signer.Issue("i-1", 1000, 60);
  EXPECT_TRUE(signer.Verify(t, "i-1", 1000));
  EXPECT_TRUE(signer.Verify(t, "i-1", 1059));
  EXPECT_FALSE(signer.Verify(t, "i-1", 1060));
}

TEST(MetadataTokenTest, BoundToItsInstanceAndSigner) {
  MetadataTokenSigner signer("k");
  std::string t = signer.Issue("i-1", 1000, 60);
  EXPECT_FALSE(signer.Verify(t, "i-2", 1000));
  EXPECT_FALSE(MetadataTokenSigner("other").Verify(t, "i-1", 1000));
  EXPECT_FALSE(MetadataTokenSigner().Verify(t, "i-1", 1000));  // a restarted agent
}

TEST(MetadataTokenTest, TamperingIsDetected) {
  MetadataTokenSigner signer("k");
  std::string raw = *Base64Decode(signer.Issue("i-1", 1000, 60));
  // Extending the expiry without the key.
  std::string longer = raw;
  longer.replace(longer.find(":1060:"), 6, ":9999:");
  EXPECT_FALSE(signer.Verify(Base64Encode(longer), "i-1", 1000));
  for (const char* junk : {"", "x", "aGVsbG8=", "Og==", "aS0xOjEwNjA6"})
    EXPECT_FALSE(signer.Verify(junk, "i-1", 1000)) << junk;
  EXPECT_FALSE(signer.Verify(std::string(1000, 'A'), "i-1", 1000));
}

}  // namespace
}  // namespace strato

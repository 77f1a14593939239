#include "commands/ssh_key_generator.h"

#include <gtest/gtest.h>

#include "commands/resource_commands.h"

namespace strato {
namespace {

TEST(SshKeyGeneratorTest, PublicLinesAreOpenSshKeysAndEachKeyIsNew) {
  for (const char* type : {"rsa", "ed25519"}) {
    auto a = GenerateSshKey(type, "my-key");
    auto b = GenerateSshKey(type, "my-key");
    ASSERT_TRUE(a.ok() && b.ok()) << type;
    EXPECT_TRUE(OpenSshFingerprint(a->public_openssh).ok()) << a->public_openssh;
    EXPECT_NE(a->public_openssh, b->public_openssh);
    EXPECT_NE(a->private_pem, b->private_pem);
    EXPECT_TRUE(a->public_openssh.ends_with(" my-key"));
    EXPECT_TRUE(a->private_pem.ends_with("PRIVATE KEY-----\n"));
  }
  EXPECT_EQ(GenerateSshKey("dsa", "x").status().code(), "InvalidParameterValue");
}

}  // namespace
}  // namespace strato

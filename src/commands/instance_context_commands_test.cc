#include "commands/instance_context_commands.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace strato {
namespace {

TEST(ValidateLaunchContextTest, DecodesUserDataUpTo16KiB) {
  LaunchContextInput in;
  EXPECT_EQ(ValidateLaunchContext(in).value(), "");
  in.user_data_base64 = Base64Encode(std::string(16 * 1024, 'x'));
  EXPECT_EQ(ValidateLaunchContext(in).value().size(), 16u * 1024);
  in.user_data_base64 = Base64Encode(std::string(16 * 1024 + 1, 'x'));
  EXPECT_EQ(ValidateLaunchContext(in).status().code(), "InvalidParameterValue");
  in.user_data_base64 = "#!/bin/sh";  // raw text is not base64
  EXPECT_EQ(ValidateLaunchContext(in).status().code(), "InvalidParameterValue");
}

TEST(ValidateLaunchContextTest, ChecksKeyNameAndOptions) {
  LaunchContextInput in;
  in.key_name = "";
  EXPECT_FALSE(ValidateLaunchContext(in).ok());
  in.key_name = "k";
  EXPECT_TRUE(ValidateLaunchContext(in).ok());
  in.metadata.hop_limit = 0;
  EXPECT_EQ(ValidateLaunchContext(in).status().code(), "InvalidParameterValue");
  in.metadata.hop_limit = 64;
  in.metadata.http_tokens = "required";
  EXPECT_TRUE(ValidateLaunchContext(in).ok());
}

}  // namespace
}  // namespace strato

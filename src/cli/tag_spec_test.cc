#include "cli/tag_spec.h"

#include <gtest/gtest.h>

namespace strato::cli {
namespace {

TEST(TagSpecTest, SplitsAtFirstEquals) {
  auto tag = ParseTag("Env=prod");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->first, "Env");
  EXPECT_EQ(tag->second, "prod");

  tag = ParseTag("expr=a=b");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->first, "expr");
  EXPECT_EQ(tag->second, "a=b");
}

TEST(TagSpecTest, EmptyValueIsAllowed) {
  auto tag = ParseTag("Flag=");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->first, "Flag");
  EXPECT_EQ(tag->second, "");
}

TEST(TagSpecTest, MissingEqualsIsAnError) {
  auto tag = ParseTag("Env");
  ASSERT_FALSE(tag.ok());
  EXPECT_EQ(tag.status().code(), "InvalidParameterValue");
  EXPECT_EQ(tag.status().message(), "tag 'Env' must be KEY=VALUE");
}

TEST(TagSpecTest, EmptyKeyIsAnError) {
  auto tag = ParseTag("=prod");
  ASSERT_FALSE(tag.ok());
  EXPECT_EQ(tag.status().message(), "tag '=prod' has an empty key");
}

TEST(TagSpecTest, ParseTagsKeepsOrderAndRefusesDuplicates) {
  auto tags = ParseTags({"b=2", "a=1"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (TagList{{"b", "2"}, {"a", "1"}}));

  auto dup = ParseTags({"a=1", "a=2"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "tag key 'a' is given more than once");

  EXPECT_FALSE(ParseTags({"a=1", "oops"}).ok());
}

}  // namespace
}  // namespace strato::cli

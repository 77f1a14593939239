#include "api/ec2/ec2_resource_filter.h"

#include <gtest/gtest.h>

namespace strato::api::ec2 {
namespace {

TEST(Ec2ResourceFilterTest, UnknownNamesAndEmptyValuesAreRefused) {
  EXPECT_TRUE(CheckFilterNames({{"status", {"available"}}, {"tag:Name", {"x"}}, {"tag-key", {"k"}}},
                               {"status"})
                  .ok());
  auto unknown = CheckFilterNames({{"colour", {"red"}}}, {"status"});
  EXPECT_EQ(unknown.code(), "InvalidParameterValue");
  EXPECT_FALSE(CheckFilterNames({{"status", {}}}, {"status"}).ok());
  EXPECT_FALSE(CheckFilterNames({{"tag:", {"x"}}}, {"status"}).ok());
}

TEST(Ec2ResourceFilterTest, EveryFilterMustMatchOneValue) {
  FilterFields fields{{"status", {"in-use"}}, {"size", {"8"}}};
  std::map<std::string, std::string> tags{{"Name", "web-1"}, {"env", "prod"}};
  EXPECT_TRUE(MatchesAll({}, fields, tags));
  EXPECT_TRUE(
      MatchesAll({{"status", {"available", "in-use"}}, {"tag:Name", {"web-*"}}}, fields, tags));
  EXPECT_FALSE(MatchesAll({{"status", {"in-use"}}, {"size", {"9"}}}, fields, tags));
  EXPECT_TRUE(MatchesAll({{"tag-key", {"env"}}}, fields, tags));
  EXPECT_FALSE(MatchesAll({{"tag:team", {"*"}}}, fields, tags));
  // A field the resource does not have (a detached volume's attachment) matches nothing.
  EXPECT_FALSE(MatchesAll({{"attachment.instance-id", {"*"}}}, fields, tags));
}

}  // namespace
}  // namespace strato::api::ec2

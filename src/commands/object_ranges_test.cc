// What part of an object a GetObject asks for: a Range header, or a part number.
#include <gtest/gtest.h>

#include "commands/object_commands.h"

namespace strato {
namespace {

std::string Code(const Status& s) { return s.ok() ? "ok" : s.code(); }

TEST(ParseByteRangeTest, FormsAndEdges) {
  auto r = ParseByteRange("bytes=2-5", 10);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(((*r)->first), 2u);
  EXPECT_EQ(((*r)->last), 5u);
  EXPECT_EQ((*ParseByteRange("bytes=7-", 10))->last, 9u);
  EXPECT_EQ((*ParseByteRange("bytes=-3", 10))->first, 7u);
  EXPECT_EQ((*ParseByteRange("bytes=5-100", 10))->last, 9u);  // clipped
  // What S3 ignores (the whole object is served) and what it cannot satisfy.
  EXPECT_FALSE(ParseByteRange("bytes=5-2", 10)->has_value());
  EXPECT_FALSE(ParseByteRange("bytes=0-1,3-4", 10)->has_value());
  EXPECT_FALSE(ParseByteRange("items=0-1", 10)->has_value());
  EXPECT_EQ(Code(ParseByteRange("bytes=10-", 10).status()), "InvalidRange");
  EXPECT_EQ(Code(ParseByteRange("bytes=-0", 10).status()), "InvalidRange");
}

TEST(PartRangeTest, PartsOfAMultipartObject) {
  ObjectRecord o;
  o.size = 25;
  o.part_sizes = "10,10,5";
  EXPECT_EQ(PartsCount(o), 3);
  auto second = PartRange(o, 2);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->first, 10u);
  EXPECT_EQ((*second)->last, 19u);
  EXPECT_EQ((*PartRange(o, 3))->last, 24u);
  EXPECT_EQ(Code(PartRange(o, 4).status()), "InvalidPartNumber");
  EXPECT_EQ(Code(PartRange(o, 0).status()), "InvalidArgument");
  EXPECT_EQ(Code(PartRange(o, 10001).status()), "InvalidArgument");
}

TEST(PartRangeTest, AnyOtherObjectIsOnePart) {
  ObjectRecord o;
  o.size = 7;
  EXPECT_EQ(PartsCount(o), 0);
  auto whole = PartRange(o, 1);
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->has_value());
  EXPECT_EQ(Code(PartRange(o, 2).status()), "InvalidPartNumber");
}

}  // namespace
}  // namespace strato

#include "api/s3/object_preconditions.h"

#include <gtest/gtest.h>

namespace strato::api::s3 {
namespace {

// 1994-11-06 08:49:37 UTC, with some milliseconds that HTTP dates cannot carry.
constexpr int64_t kModifiedMs = 784111777'250;

Precondition Judge(std::vector<std::pair<std::string, std::string>> headers,
                   std::string_view prefix = "") {
  http::Request r;
  r.headers = std::move(headers);
  return EvaluatePreconditions(r, prefix, "abc", kModifiedMs);
}

TEST(ParseHttpDateTest, TheThreeFormsAndGarbage) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_FALSE(ParseHttpDate("yesterday"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
}

TEST(PreconditionsTest, NoHeadersServe) { EXPECT_EQ(Judge({}), Precondition::kServe); }

TEST(PreconditionsTest, IfMatch) {
  EXPECT_EQ(Judge({{"if-match", "\"abc\""}}), Precondition::kServe);
  EXPECT_EQ(Judge({{"if-match", "\"x\", \"abc\""}}), Precondition::kServe);
  EXPECT_EQ(Judge({{"if-match", "*"}}), Precondition::kServe);
  EXPECT_EQ(Judge({{"if-match", "\"x\""}}), Precondition::kFailed);
}

TEST(PreconditionsTest, IfNoneMatch) {
  EXPECT_EQ(Judge({{"if-none-match", "\"abc\""}}), Precondition::kNotModified);
  EXPECT_EQ(Judge({{"if-none-match", "W/\"abc\""}}), Precondition::kNotModified);
  EXPECT_EQ(Judge({{"if-none-match", "*"}}), Precondition::kNotModified);
  EXPECT_EQ(Judge({{"if-none-match", "\"x\""}}), Precondition::kServe);
}

TEST(PreconditionsTest, DatesCompareWholeSeconds) {
  const std::string at = "Sun, 06 Nov 1994 08:49:37 GMT";
  const std::string before = "Sun, 06 Nov 1994 08:49:36 GMT";
  EXPECT_EQ(Judge({{"if-modified-since", at}}), Precondition::kNotModified);
  EXPECT_EQ(Judge({{"if-modified-since", before}}), Precondition::kServe);
  EXPECT_EQ(Judge({{"if-unmodified-since", at}}), Precondition::kServe);
  EXPECT_EQ(Judge({{"if-unmodified-since", before}}), Precondition::kFailed);
  EXPECT_EQ(Judge({{"if-modified-since", "not a date"}}), Precondition::kServe);
}

TEST(PreconditionsTest, EtagConditionsOverrideDates) {
  const std::string before = "Sun, 06 Nov 1994 08:49:36 GMT";
  const std::string at = "Sun, 06 Nov 1994 08:49:37 GMT";
  // S3: If-Match true and If-Unmodified-Since false -> 200.
  EXPECT_EQ(Judge({{"if-match", "\"abc\""}, {"if-unmodified-since", before}}),
            Precondition::kServe);
  // S3: If-None-Match false and If-Modified-Since true -> 304.
  EXPECT_EQ(Judge({{"if-none-match", "\"abc\""}, {"if-modified-since", before}}),
            Precondition::kNotModified);
  // If-None-Match true wins over a date that would say "not modified".
  EXPECT_EQ(Judge({{"if-none-match", "\"x\""}, {"if-modified-since", at}}), Precondition::kServe);
  // A failed If-Match is 412 whatever follows.
  EXPECT_EQ(Judge({{"if-match", "\"x\""}, {"if-none-match", "\"abc\""}}), Precondition::kFailed);
}

TEST(PreconditionsTest, CopySourcePrefix) {
  EXPECT_EQ(Judge({{"x-amz-copy-source-if-match", "\"x\""}}, "x-amz-copy-source-"),
            Precondition::kFailed);
  EXPECT_EQ(Judge({{"if-match", "\"x\""}}, "x-amz-copy-source-"), Precondition::kServe);
}

}  // namespace
}  // namespace strato::api::s3

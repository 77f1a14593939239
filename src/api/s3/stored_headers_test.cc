#include "api/s3/stored_headers.h"

#include <gtest/gtest.h>

namespace strato::api::s3 {
namespace {

TEST(StoredHeadersTest, KeepsTheFiveAndDropsAwsChunked) {
  http::Request r;
  r.headers = {{"cache-control", "max-age=60"},
               {"content-disposition", "attachment; filename=a.txt"},
               {"content-encoding", "aws-chunked, gzip"},
               {"content-type", "text/plain"},
               {"x-amz-meta-a", "b"}};
  auto h = StoredHeadersOf(r);
  EXPECT_EQ(
      h, (std::map<std::string, std::string>{{"Cache-Control", "max-age=60"},
                                             {"Content-Disposition", "attachment; filename=a.txt"},
                                             {"Content-Encoding", "gzip"}}));
  r.headers = {{"content-encoding", "aws-chunked"}};
  EXPECT_TRUE(StoredHeadersOf(r).empty());
}

TEST(StoredHeadersTest, AddAndSet) {
  http::Response out;
  AddStoredHeaders(R"({"Cache-Control":"no-cache","Expires":"x"})", out);
  ASSERT_EQ(out.headers.size(), 2u);
  SetHeader(out, "cache-control", "max-age=1");
  ASSERT_EQ(out.headers.size(), 2u);
  EXPECT_EQ(out.headers.back(),
            (std::pair<std::string, std::string>{"cache-control", "max-age=1"}));
  AddStoredHeaders("not json", out);
  EXPECT_EQ(out.headers.size(), 2u);
}

}  // namespace
}  // namespace strato::api::s3

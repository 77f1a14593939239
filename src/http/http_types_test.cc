#include "http/http_types.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace strato::http {
namespace {

TEST(RequestTest, HeaderFindsFirstMatch) {
  Request request;
  request.headers = {{"x-a", "1"}, {"x-b", "2"}, {"x-a", "3"}};
  ASSERT_NE(request.Header("x-a"), nullptr);
  EXPECT_EQ(*request.Header("x-a"), "1");
  EXPECT_EQ(request.Header("x-c"), nullptr);
}

TEST(RequestTest, QueryParamsDecodePercentButNotPlus) {
  Request request;
  request.raw_query = "name=a%20b+c&tag%3Aenv=prod%3d1&flag&empty=&&%zz=%4";
  auto params = request.QueryParams();
  EXPECT_EQ(params["name"], "a b+c");
  EXPECT_EQ(params["tag:env"], "prod=1");
  EXPECT_EQ(params.count("flag"), 1u);
  EXPECT_EQ(params["flag"], "");
  EXPECT_EQ(params["empty"], "");
  EXPECT_EQ(params["%zz"], "%4");  // malformed escapes stay literal
  EXPECT_EQ(params.size(), 5u);
}

TEST(RequestTest, QueryParamListKeepsOrderAndRepeats) {
  Request request;
  request.raw_query = "b=2&a=1&b=3";
  auto list = request.QueryParamList();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ(list[2], (std::pair<std::string, std::string>{"b", "3"}));
  EXPECT_EQ(request.QueryParams()["b"], "2");  // first occurrence wins
}

TEST(RequestTest, EmptyQueryHasNoParams) {
  Request request;
  EXPECT_TRUE(request.QueryParams().empty());
}

TEST(MakeErrorResponseTest, RendersNativeErrorShape) {
  Response response = MakeErrorResponse(404, "InvalidInstanceID.NotFound",
                                        "The instance \"i-1\" does not exist.", "req-1");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            R"({"error":{"code":"InvalidInstanceID.NotFound","message":"The instance \"i-1\" )"
            R"(does not exist."},"request_id":"req-1"})");
}

TEST(MakeErrorResponseTest, InvalidUtf8InMessageDoesNotThrow) {
  Response response = MakeErrorResponse(400, "BadRequest", "bad \xff byte", "r");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "BadRequest");
}

}  // namespace
}  // namespace strato::http

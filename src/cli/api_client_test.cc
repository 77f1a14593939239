#include "cli/api_client.h"

#include <gtest/gtest.h>

#include "cli/exit_codes.h"
#include "cli/testing/fake_transport.h"

namespace strato::cli {
namespace {

using testing::FakeTransport;

FakeTransport Answering(int status, std::string body, std::string request_id = "") {
  return FakeTransport([=](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{status, body, request_id};
  });
}

TEST(ApiClientTest, EncodeQueryIsSigV4Canonical) {
  EXPECT_EQ(ApiClient::EncodeQuery({}), "");
  EXPECT_EQ(ApiClient::EncodeQuery({{"state", "running"}, {"page_size", "5"}}),
            "page_size=5&state=running");
  EXPECT_EQ(ApiClient::EncodeQuery({{"tag:Env", "a b/c+d=e"}, {"next_token", "x~y"}}),
            "next_token=x~y&tag%3AEnv=a%20b%2Fc%2Bd%3De");
  // Equal keys sort by value, as the server's canonical form does.
  EXPECT_EQ(ApiClient::EncodeQuery({{"k", "b"}, {"k", "a"}}), "k=a&k=b");
}

TEST(ApiClientTest, SegmentCannotEscapeItsPathSegment) {
  EXPECT_EQ(ApiClient::Segment("i-0123abcd"), "i-0123abcd");
  EXPECT_EQ(ApiClient::Segment("../hosts?x"), "..%2Fhosts%3Fx");
}

TEST(ApiClientTest, SendsMethodTargetAndJsonBody) {
  FakeTransport transport = Answering(200, R"({"b":1,"a":2})");
  ApiClient api(transport);
  auto got = api.Get("/v1/instances", {{"state", "running"}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->dump(), R"({"b":1,"a":2})");  // server order kept
  ASSERT_TRUE(api.Post("/v1/hosts/h-1/enable").ok());
  ASSERT_TRUE(api.Put("/v1/tags", Json{{"x", 1}}).ok());
  ASSERT_TRUE(api.Delete("/v1/images/ami-1").ok());

  const auto& sent = transport.sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_EQ(sent[0].target, "/v1/instances?state=running");
  EXPECT_EQ(sent[0].body, "");
  EXPECT_EQ(sent[1].method, "POST");
  EXPECT_EQ(sent[1].body, "{}");
  EXPECT_EQ(sent[2].method, "PUT");
  EXPECT_EQ(sent[2].body, R"({"x":1})");
  EXPECT_EQ(sent[3].method, "DELETE");
  EXPECT_EQ(sent[3].body, "");
}

TEST(ApiClientTest, EmptyBodyIsNull) {
  FakeTransport transport = Answering(204, "");
  ApiClient api(transport);
  auto got = api.Put("/v1/tags", Json::object());
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->is_null());
}

TEST(ApiClientTest, ErrorEnvelopeBecomesStatus) {
  FakeTransport transport = Answering(
      404, R"({"error":{"code":"InvalidInstanceID.NotFound","message":"no i-1"},"request_id":"r"})",
      "req-9");
  ApiClient api(transport);
  auto got = api.Get("/v1/instances/i-1");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().http_status(), 404);
  EXPECT_EQ(got.status().code(), "InvalidInstanceID.NotFound");
  EXPECT_EQ(got.status().message(), "no i-1 (request id req-9)");
  EXPECT_EQ(ExitCodeFor(got.status()), kExitApiError);
  EXPECT_EQ(FormatError(got.status()),
            "error: InvalidInstanceID.NotFound: no i-1 (request id req-9)");
}

TEST(ApiClientTest, NonJsonErrorStillMapsToApiError) {
  FakeTransport transport = Answering(502, "<html>Bad Gateway</html>");
  ApiClient api(transport);
  auto got = api.Get("/v1/regions");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), "HTTP502");
  EXPECT_EQ(got.status().message(), "<html>Bad Gateway</html>");
  EXPECT_EQ(ExitCodeFor(got.status()), kExitApiError);
}

TEST(ApiClientTest, UnparsableSuccessBodyIsAnError) {
  FakeTransport transport = Answering(200, "{not json");
  ApiClient api(transport);
  auto got = api.Get("/v1/regions");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), "InvalidResponse");
}

TEST(ApiClientTest, ConnectionFailurePassesThrough) {
  FakeTransport transport([](const HttpRequest&) -> Result<HttpResponse> {
    return ConnectionFailure("cannot reach endpoint http://127.0.0.1:1: refused");
  });
  ApiClient api(transport);
  auto got = api.Get("/v1/regions");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(ExitCodeFor(got.status()), kExitConnection);
}

TEST(ApiClientTest, ListFollowsNextTokenOnlyWhenAskedForAll) {
  FakeTransport transport([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.target.find("next_token=t2") != std::string::npos) {
      return HttpResponse{200, R"({"hosts":[{"id":"h-3"}]})", ""};
    }
    return HttpResponse{200, R"({"hosts":[{"id":"h-1"},{"id":"h-2"}],"next_token":"t2"})", ""};
  });
  ApiClient api(transport);
  auto one = api.List("/v1/hosts", {{"zone", "z"}}, "hosts", /*all=*/false);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)["hosts"].size(), 2u);
  EXPECT_EQ((*one)["next_token"], "t2");

  auto all = api.List("/v1/hosts", {{"zone", "z"}}, "hosts", /*all=*/true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->dump(), R"({"hosts":[{"id":"h-1"},{"id":"h-2"},{"id":"h-3"}]})");
  ASSERT_EQ(transport.sent().size(), 3u);
  EXPECT_EQ(transport.sent()[2].target, "/v1/hosts?next_token=t2&zone=z");
}

TEST(ExitCodesTest, EveryKindMapsToItsCode) {
  EXPECT_EQ(ExitCodeFor(OkStatus()), 0);
  EXPECT_EQ(ExitCodeFor(UsageError("u")), 2);
  EXPECT_EQ(ExitCodeFor(AsUsageError(InvalidParameter("bad size"))), 2);
  EXPECT_EQ(ExitCodeFor(InvalidParameter("from the server")), 3);
  EXPECT_EQ(ExitCodeFor(Internal("x")), 3);
  EXPECT_EQ(ExitCodeFor(WaitTimeout("t")), 4);
  EXPECT_EQ(ExitCodeFor(ConnectionFailure("c")), 5);
  EXPECT_EQ(ExitCodeFor(AsUsageError(ConnectionFailure("c"))), 5);
  EXPECT_EQ(FormatError(UsageError("bad flag")), "error: bad flag");
}

}  // namespace
}  // namespace strato::cli

#include "cli/curl_transport.h"

#include <gtest/gtest.h>

#include "cli/exit_codes.h"
#include "cli/testing/loopback_http_server.h"
#include "common/sigv4.h"

namespace strato::cli {
namespace {

using testing::CannedReply;
using testing::LoopbackHttpServer;
using testing::RecordedRequest;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

ClientConfig ConfigFor(const std::string& endpoint) {
  ClientConfig config;
  config.endpoint = endpoint;
  config.region = "strato-1";
  config.access_key_id = "AKID";
  config.secret_access_key = kSecret;
  return config;
}

std::unique_ptr<CurlTransport> Connect(const std::string& endpoint) {
  auto transport = CurlTransport::Create(ConfigFor(endpoint));
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  return std::move(*transport);
}

// Checks the request the way the daemon will: the project's own SigV4 verifier.
Status VerifyAsServer(const RecordedRequest& r, const std::string& secret,
                      bool s3_style_path = false) {
  STRATO_ASSIGN_OR_RETURN(sigv4::ParsedAuthorization auth,
                          sigv4::ParseAuthorizationHeader(r.Header("Authorization")));
  const std::string path = r.Path();
  const std::string query = r.Query();
  const std::string payload_hash = sigv4::Sha256Hex(r.body);
  sigv4::HttpRequestView view{r.method, path, query, r.headers, payload_hash};
  return sigv4::VerifyRequest(view, auth, secret, std::chrono::system_clock::now(), s3_style_path);
}

TEST(CurlTransportTest, SignsGetWithSigV4ThatTheServerVerifies) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedReply{200, "{}"}; });
  auto transport = Connect(server.endpoint());
  auto response = transport->Send({"GET", "/v1/instances?page_size=5&state=running", ""});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{}");
  EXPECT_EQ(response->request_id, "req-1");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& r = requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/instances?page_size=5&state=running");
  const std::string auth = r.Header("Authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/strato-1/strato/aws4_request"), std::string::npos) << auth;
  EXPECT_EQ(r.Header("X-Amz-Date").size(), 16u);
  EXPECT_EQ(r.Header("x-amz-content-sha256"), sigv4::kEmptySha256);
  EXPECT_TRUE(VerifyAsServer(r, kSecret).ok()) << VerifyAsServer(r, kSecret).ToString();
  EXPECT_EQ(VerifyAsServer(r, "not-the-secret").code(), "SignatureDoesNotMatch");
}

// curl 7.88 signs the query exactly as sent; ApiClient::EncodeQuery emits the canonical form so
// the server's re-canonicalised query matches. Regression guard for tag filters.
TEST(CurlTransportTest, CanonicalQueryWithEncodedCharactersVerifies) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedReply{200, "{}"}; });
  auto transport = Connect(server.endpoint());
  ASSERT_TRUE(transport->Send({"GET", "/v1/instances?state=running&tag%3AEnv=a%20b%2Fc", ""}).ok());
  const RecordedRequest r = server.requests().at(0);
  EXPECT_TRUE(VerifyAsServer(r, kSecret).ok()) << VerifyAsServer(r, kSecret).ToString();
}

// curl 7.88 puts the path into the canonical request as sent (encoded once), like S3; AWS's
// rule for other services encodes it a second time. Ids never need encoding, but a key-pair
// name like "my key" does: the server must canonicalise such paths S3-style to accept it.
TEST(CurlTransportTest, PercentEncodedPathIsSignedEncodedOnce) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedReply{200, "{}"}; });
  auto transport = Connect(server.endpoint());
  ASSERT_TRUE(transport->Send({"GET", "/v1/key-pairs/my%20key", ""}).ok());
  const RecordedRequest r = server.requests().at(0);
  EXPECT_EQ(r.Path(), "/v1/key-pairs/my%20key");
  EXPECT_TRUE(VerifyAsServer(r, kSecret, /*s3_style_path=*/true).ok());
  EXPECT_FALSE(VerifyAsServer(r, kSecret, /*s3_style_path=*/false).ok());
}

TEST(CurlTransportTest, PostsJsonBodySignedWithItsHash) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedReply{202, "{}"}; });
  auto transport = Connect(server.endpoint());
  const std::string body = R"({"image_id":"ami-1","instance_type":"t3.micro","name":")" +
                           std::string(5000, 'x') + R"("})";
  auto response = transport->Send({"POST", "/v1/instances", body});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 202);

  const RecordedRequest r = server.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.Header("x-amz-content-sha256"), sigv4::Sha256Hex(body));
  EXPECT_EQ(r.Header("Expect"), "");  // no 100-continue round trip for small JSON bodies
  EXPECT_TRUE(VerifyAsServer(r, kSecret).ok()) << VerifyAsServer(r, kSecret).ToString();
}

TEST(CurlTransportTest, PutAndDeleteCarryMethodAndBody) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedReply{204, ""}; });
  auto transport = Connect(server.endpoint());
  ASSERT_TRUE(transport->Send({"PUT", "/v1/tags", R"({"tags":{}})"}).ok());
  ASSERT_TRUE(transport->Send({"DELETE", "/v1/tags", R"({"keys":[]})"}).ok());
  ASSERT_TRUE(transport->Send({"DELETE", "/v1/images/ami-1", ""}).ok());
  // A GET after bodied requests must not inherit their body or method.
  ASSERT_TRUE(transport->Send({"GET", "/v1/regions", ""}).ok());

  const auto r = server.requests();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].body, R"({"tags":{}})");
  EXPECT_EQ(r[1].method, "DELETE");
  EXPECT_EQ(r[1].body, R"({"keys":[]})");
  EXPECT_EQ(r[2].method, "DELETE");
  EXPECT_EQ(r[2].body, "");
  EXPECT_EQ(r[3].method, "GET");
  EXPECT_EQ(r[3].body, "");
  for (const RecordedRequest& request : r) {
    EXPECT_TRUE(VerifyAsServer(request, kSecret).ok()) << request.method << " " << request.target;
  }
}

TEST(CurlTransportTest, ReusesOneConnection) {
  LoopbackHttpServer server([](const RecordedRequest&) { return CannedReply{200, "{}"}; });
  auto transport = Connect(server.endpoint());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(transport->Send({"GET", "/v1/regions", ""}).ok());
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlTransportTest, HttpErrorsAreResponsesNotFailures) {
  LoopbackHttpServer server([](const RecordedRequest&) {
    return CannedReply{404, R"({"error":{"code":"X.NotFound","message":"m"}})"};
  });
  auto transport = Connect(server.endpoint());
  auto response = transport->Send({"GET", "/v1/instances/i-1", ""});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
}

TEST(CurlTransportTest, UnreachableEndpointIsConnectionFailure) {
  const std::string endpoint =
      "http://127.0.0.1:" + std::to_string(LoopbackHttpServer::UnusedPort());
  auto transport = Connect(endpoint);
  auto response = transport->Send({"GET", "/v1/regions", ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(ExitCodeFor(response.status()), kExitConnection);
  EXPECT_NE(response.status().message().find("cannot reach endpoint " + endpoint),
            std::string::npos)
      << response.status().message();
}

}  // namespace
}  // namespace strato::cli

#include "http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/http_test_client.h"

namespace strato::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    auto server = HttpServer::Create(
        options, [this](Request& request) { return Handle(request); }, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->Start();
  }

  Response Handle(Request& request) {
    ++calls_;
    {
      std::lock_guard lock(mu_);
      last_request_ = request;
    }
    Response response;
    response.route = request.method + " " + request.path;
    if (request.path == "/throw") throw std::runtime_error("boom");
    if (request.path == "/slow") {
      slow_entered_.set_value();
      std::this_thread::sleep_for(milliseconds(700));
      response.body = "slow done";
    } else if (request.path == "/status") {
      response.status = std::stoi(request.raw_query);
      response.body = "ignored for 204";
    } else if (request.path == "/headers") {
      response.headers = {{"X-Good", "yes"}, {"X-Bad", "a\r\nInjected: 1"}, {"Server", "evil"}};
    } else {
      response.body = request.body.empty() ? request.target : request.body;
    }
    return response;
  }

  HttpTestClient Connect() { return HttpTestClient(server_->port()); }

  Request LastRequest() {
    std::lock_guard lock(mu_);
    return last_request_;
  }

  MetricsRegistry metrics_;  // declared first: must outlive the server
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> calls_{0};
  std::promise<void> slow_entered_;
  std::mutex mu_;
  Request last_request_;  // GUARDED_BY(mu_)
};

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  HttpTestClient client = Connect();
  auto first = client.RoundTrip(MakeRequest("GET", "/a"));
  auto second = client.RoundTrip(MakeRequest("POST", "/b", "payload"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "/a");
  EXPECT_EQ(second->body, "payload");
  EXPECT_EQ(first->Get("server"), "stratod");
  EXPECT_EQ(first->Get("content-length"), "2");
  EXPECT_EQ(first->Get("content-type"), "application/json");
  EXPECT_FALSE(first->Get("x-request-id").empty());
  EXPECT_NE(first->Get("x-request-id"), second->Get("x-request-id"));
  EXPECT_EQ(calls_, 2);
}

TEST_F(HttpServerTest, HandlerSeesRawTargetLowercasedHeadersAndPeer) {
  StartServer();
  HttpTestClient client = Connect();
  auto response =
      client.RoundTrip(MakeRequest("PUT", "/v1/x%20y?b=%41+c&a", "body", "X-Custom-Header: V\r\n"));
  ASSERT_TRUE(response);
  Request seen = LastRequest();
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/v1/x%20y?b=%41+c&a");
  EXPECT_EQ(seen.path, "/v1/x%20y");
  EXPECT_EQ(seen.raw_query, "b=%41+c&a");
  ASSERT_NE(seen.Header("x-custom-header"), nullptr);
  EXPECT_EQ(*seen.Header("x-custom-header"), "V");
  EXPECT_EQ(*seen.Header("host"), "127.0.0.1");
  EXPECT_EQ(seen.body, "body");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
  EXPECT_EQ(seen.request_id, response->Get("x-request-id"));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/one") + MakeRequest("GET", "/two")));
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "/one");
  EXPECT_EQ(second->body, "/two");
}

TEST_F(HttpServerTest, BodyOverLimitGets413WithoutCallingHandler) {
  StartServer({.max_body_bytes = 16});
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("POST", "/echo", std::string(100, 'x')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["error"]["code"], "RequestEntityTooLarge");
  EXPECT_EQ(body["request_id"], response->Get("x-request-id"));
  EXPECT_EQ(response->Get("connection"), "close");
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitGets413) {
  StartServer({.max_body_bytes = 16});
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, ChunkedBodyWithinLimitReachesHandler) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "abcde");
}

TEST_F(HttpServerTest, ExpectContinueGets100BeforeTheBodyIsSent) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  EXPECT_EQ(calls_, 0);
  ASSERT_TRUE(client.Send("hello"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
}

TEST_F(HttpServerTest, ExpectContinueOverLimitGets413Instead) {
  StartServer({.max_body_bytes = 16});
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(client.ServerClosed());
}

TEST_F(HttpServerTest, MalformedRequestLineGets400AndClose) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip("GET /a HTTP/1.1 trailing junk\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["code"], "BadRequest");
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, GarbageBytesNeverHurtTheServer) {
  StartServer();
  std::string garbage;
  for (int i = 0; i < 2048; ++i) garbage.push_back(static_cast<char>((i * 7919) % 256));
  for (std::string_view bytes :
       {std::string_view(garbage), std::string_view("\r\n\r\n\0\0", 6),
        std::string_view("GET / HTTP/1.1\r\nHost: h\r\nX: \x01\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")}) {
    HttpTestClient client = Connect();
    client.Send(bytes);
    auto response = client.Read();
    if (response) {
      EXPECT_EQ(response->status, 400);
    }
  }
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("GET", "/still-alive"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, VersionOtherThan1xGets400) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip("GET / HTTP/2.0\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, Http11WithoutHostGets400) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip("GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  StartServer({.max_header_bytes = 1024});
  HttpTestClient client = Connect();
  auto response =
      client.RoundTrip(MakeRequest("GET", "/", "", "X-Big: " + std::string(2000, 'b') + "\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST_F(HttpServerTest, HandlerExceptionGives500AndConnectionKeepsWorking) {
  StartServer();
  HttpTestClient client = Connect();
  auto failed = client.RoundTrip(MakeRequest("GET", "/throw"));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  auto body = nlohmann::json::parse(failed->body);
  EXPECT_EQ(body["error"]["code"], "InternalError");
  EXPECT_EQ(body["request_id"], failed->Get("x-request-id"));
  auto next = client.RoundTrip(MakeRequest("GET", "/after"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, InvalidHandlerStatusGives500) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("GET", "/status?42"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
}

TEST_F(HttpServerTest, NoContentHasNoBodyAndNoLength) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("DELETE", "/status?204"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_FALSE(response->Has("content-length"));
  auto next = client.RoundTrip(MakeRequest("GET", "/framing-intact"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "/framing-intact");
}

TEST_F(HttpServerTest, HeadSendsLengthButNoBody) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("HEAD", "/abc"), /*head_request=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Get("content-length"), "4");
  auto next = client.RoundTrip(MakeRequest("GET", "/framing-intact"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "/framing-intact");
}

TEST_F(HttpServerTest, UnsafeAndServerOwnedResponseHeadersAreDropped) {
  StartServer();
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("GET", "/headers"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Get("x-good"), "yes");
  EXPECT_FALSE(response->Has("x-bad"));
  EXPECT_FALSE(response->Has("injected"));
  EXPECT_EQ(response->Get("server"), "stratod");
}

TEST_F(HttpServerTest, Http10AndConnectionCloseEndTheConnection) {
  StartServer();
  HttpTestClient old_client = Connect();
  auto response = old_client.RoundTrip("GET /old HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "/old");
  EXPECT_TRUE(old_client.ServerClosed());

  HttpTestClient closing_client = Connect();
  response = closing_client.RoundTrip(MakeRequest("GET", "/bye", "", "Connection: close\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Get("connection"), "close");
  EXPECT_TRUE(closing_client.ServerClosed());
}

TEST_F(HttpServerTest, Http10KeepAliveIsHonoured) {
  StartServer();
  HttpTestClient client = Connect();
  auto first = client.RoundTrip("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto second = client.RoundTrip("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->body, "/b");
}

TEST_F(HttpServerTest, IdleConnectionIsClosedAfterTimeout) {
  StartServer({.idle_timeout = std::chrono::seconds(1)});
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.RoundTrip(MakeRequest("GET", "/")));
  auto start = steady_clock::now();
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(4));
}

TEST_F(HttpServerTest, GracefulStopLetsInFlightRequestFinish) {
  StartServer();
  HttpTestClient idle_client = Connect();
  ASSERT_TRUE(idle_client.RoundTrip(MakeRequest("GET", "/warm")));
  auto slow = std::async(std::launch::async, [this] {
    HttpTestClient client = Connect();
    return client.RoundTrip(MakeRequest("GET", "/slow"));
  });
  slow_entered_.get_future().wait();
  auto stop_start = steady_clock::now();
  server_->Stop();
  auto stop_took = steady_clock::now() - stop_start;
  auto response = slow.get();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow done");
  EXPECT_EQ(response->Get("connection"), "close");
  EXPECT_GE(stop_took, milliseconds(300));  // it waited for the 700 ms handler
  EXPECT_LT(stop_took, std::chrono::seconds(5));
  EXPECT_TRUE(idle_client.ServerClosed());
  EXPECT_THROW(Connect(), std::runtime_error);  // no longer listening
  server_->Stop();                              // idempotent
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.RoundTrip(MakeRequest("GET", "/")));
  auto start = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(1500));
  EXPECT_TRUE(client.ServerClosed());
}

TEST_F(HttpServerTest, StopWithoutStartAndDestructorAreSafe) {
  MetricsRegistry metrics;
  auto server = HttpServer::Create(
      {}, [](Request&) { return Response(); }, metrics);
  ASSERT_TRUE(server.ok());
  (*server)->Stop();
  (*server)->Start();  // one-shot: does nothing after Stop
  EXPECT_THROW(HttpTestClient((*server)->port()), std::runtime_error);
}

TEST_F(HttpServerTest, ConcurrentRequestsFrom32ThreadsAllSucceed) {
  StartServer();
  constexpr int kThreads = 32;
  constexpr int kRequestsEach = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpTestClient client = Connect();
      for (int i = 0; i < kRequestsEach; ++i) {
        std::string target = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto response = client.RoundTrip(MakeRequest("GET", target));
        if (response && response->status == 200 && response->body == target) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, kThreads * kRequestsEach);
  EXPECT_EQ(calls_, kThreads * kRequestsEach);
}

TEST_F(HttpServerTest, RecordsRequestMetricsByRoute) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.RoundTrip(MakeRequest("POST", "/m", "x")));
  ASSERT_TRUE(client.RoundTrip(MakeRequest("POST", "/m", "y")));
  // Metrics are recorded just after the response is written, so allow them a moment.
  const std::string counter =
      "strato_http_requests_total{method=\"POST\",route=\"POST /m\",status=\"200\"} 2\n";
  const std::string histogram = "strato_http_request_duration_seconds_count{route=\"POST /m\"} 2\n";
  // The counter and the histogram are two updates: wait for both.
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text = metrics_.RenderPrometheus();
    if (text.find(counter) != std::string::npos && text.find(histogram) != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_NE(text.find(counter), std::string::npos) << text;
  EXPECT_NE(text.find(histogram), std::string::npos) << text;
  EXPECT_NE(text.find("strato_http_open_connections 1\n"), std::string::npos) << text;
}

TEST_F(HttpServerTest, BusyPortFailsCreate) {
  StartServer();
  MetricsRegistry metrics;
  auto second = HttpServer::Create(
      {.port = server_->port()}, [](Request&) { return Response(); }, metrics);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), "ServiceUnavailable");
}

TEST_F(HttpServerTest, InvalidOptionsFailCreate) {
  MetricsRegistry metrics;
  auto handler = [](Request&) { return Response(); };
  EXPECT_EQ(HttpServer::Create({.address = "not-an-ip"}, handler, metrics).status().code(),
            "InvalidParameterValue");
  EXPECT_EQ(HttpServer::Create({.worker_threads = 0}, handler, metrics).status().code(),
            "InvalidParameterValue");
}

}  // namespace
}  // namespace strato::http

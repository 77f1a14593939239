// Streaming request bodies (ServerOptions::stream_body, Request::body_stream) and streamed
// response bodies (Response::body_source), over real sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "http/http_server.h"
#include "http/http_test_client.h"

namespace strato::http {
namespace {

// A deterministic byte pattern, so any lost, repeated or reordered byte changes the digest.
char PatternByte(uint64_t i) { return static_cast<char>((i * 131 + i / 7) & 0xff); }

std::string Pattern(uint64_t n) {
  std::string s(n, '\0');
  for (uint64_t i = 0; i < n; ++i) s[i] = PatternByte(i);
  return s;
}

class PatternSource final : public BodySource {
 public:
  explicit PatternSource(uint64_t size) : size_(size) {}
  uint64_t size() const override { return size_; }
  Result<size_t> Read(char* out, size_t max) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>(max, size_ - offset_));
    for (size_t k = 0; k < n; ++k) out[k] = PatternByte(offset_ + k);
    offset_ += n;
    return n;
  }

 private:
  uint64_t size_;
  uint64_t offset_ = 0;
};

class HttpStreamingTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.stream_body = [](const Request& r) { return r.path.rfind("/stream", 0) == 0; };
    auto server = HttpServer::Create(
        options, [this](Request& request) { return Handle(request); }, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->Start();
  }

  // /stream/check: reads everything, answers "<bytes> <matches-pattern> <declared length>".
  // /stream/early: answers without reading. /download?N: N pattern bytes from a BodySource.
  Response Handle(Request& request) {
    Response response;
    response.content_type = "text/plain";
    if (request.path == "/stream/early") {
      response.status = 403;
      response.body = "no";
      return response;
    }
    if (request.path == "/download") {
      response.body_source = std::make_shared<PatternSource>(std::stoull(request.raw_query));
      return response;
    }
    if (request.body_stream == nullptr) {
      response.body = "buffered " + std::to_string(request.body.size());
      return response;
    }
    EXPECT_TRUE(request.body.empty());
    uint64_t total = 0;
    bool matches = true;
    std::string buf(100000, '\0');  // not a divisor of the server's chunk size
    while (true) {
      auto n = request.body_stream->Read(buf.data(), buf.size());
      if (!n.ok()) {
        last_error_ = n.status().code();
        response.status = n.status().http_status();
        response.body = n.status().code();
        return response;
      }
      if (*n == 0) break;
      for (size_t k = 0; k < *n; ++k) matches = matches && buf[k] == PatternByte(total + k);
      total += *n;
    }
    auto declared = request.body_stream->content_length();
    response.body = std::to_string(total) + (matches ? " ok " : " corrupt ") +
                    (declared ? std::to_string(*declared) : "chunked");
    return response;
  }

  HttpTestClient Connect() { return HttpTestClient(server_->port()); }

  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::string last_error_;
};

TEST_F(HttpStreamingTest, LargeBodyReachesTheHandlerIntactAndTheConnectionStaysOpen) {
  StartServer({.max_body_bytes = 1024});
  HttpTestClient client = Connect();
  const uint64_t n = 6 << 20;  // many times what the server buffers (4 x 256 KiB)
  std::thread sender([&] {
    client.Send("PUT /stream/check HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(n) +
                "\r\n\r\n");
    client.Send(Pattern(n));
  });
  auto response = client.Read();
  sender.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::to_string(n) + " ok " + std::to_string(n));
  // Same connection, a buffered request.
  auto next = client.RoundTrip(MakeRequest("POST", "/echo", "abc"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "buffered 3");
}

TEST_F(HttpStreamingTest, ChunkedBodyIsStreamed) {
  StartServer();
  HttpTestClient client = Connect();
  std::string body = Pattern(300000);
  std::string wire = "PUT /stream/check HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += 70000) {
    std::string part = body.substr(at, 70000);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    wire += size + part + "\r\n";
  }
  wire += "0\r\n\r\n";
  auto response = client.RoundTrip(wire);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "300000 ok chunked");
}

TEST_F(HttpStreamingTest, ExpectContinueIsAnsweredForStreamedBodies) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Send(
      "PUT /stream/check HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send(Pattern(5)));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "5 ok 5");
}

TEST_F(HttpStreamingTest, HandlerThatAnswersEarlyIsHeardAndTheConnectionCloses) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Send("PUT /stream/early HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000\r\n\r\n"));
  client.Send(Pattern(1 << 20));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(response->Get("connection"), "close");
}

TEST_F(HttpStreamingTest, ClientThatBreaksOffGivesTheHandlerIncompleteBody) {
  StartServer();
  {
    HttpTestClient client = Connect();
    ASSERT_TRUE(client.Send("PUT /stream/check HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n"));
    ASSERT_TRUE(client.Send(Pattern(1000)));
  }  // closed mid-body
  for (int i = 0; i < 500 && last_error_.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(last_error_, "IncompleteBody");
}

TEST_F(HttpStreamingTest, DeclaredLengthOverTheStreamLimitGets413) {
  StartServer({.max_stream_bytes = 1000});
  HttpTestClient client = Connect();
  auto response = client.RoundTrip("PUT /stream/check HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(HttpStreamingTest, ChunkedBodyOverTheStreamLimitGets413) {
  StartServer({.max_stream_bytes = 1000});
  HttpTestClient client = Connect();
  std::string part = Pattern(800);
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", part.size());
  auto response = client.RoundTrip(
      "PUT /stream/check HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      std::string(size) + part + "\r\n" + size + part + "\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(HttpStreamingTest, BufferedRoutesKeepTheirOwnLimit) {
  StartServer({.max_body_bytes = 16});
  HttpTestClient client = Connect();
  auto response = client.RoundTrip(MakeRequest("POST", "/echo", std::string(100, 'x')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(HttpStreamingTest, BodySourceIsSentWhole) {
  StartServer();
  HttpTestClient client = Connect();
  const uint64_t n = (8 << 20) + 12345;
  auto response = client.RoundTrip(MakeRequest("GET", "/download?" + std::to_string(n), ""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Get("content-length"), std::to_string(n));
  EXPECT_TRUE(response->body == Pattern(n));
  auto head = client.RoundTrip(MakeRequest("HEAD", "/download?77", ""), /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Get("content-length"), "77");
  EXPECT_TRUE(head->body.empty());
}

}  // namespace
}  // namespace strato::http

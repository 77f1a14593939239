#include "bench/bench_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "common/sigv4.h"

namespace strato::bench {
namespace {

constexpr std::string_view kPrefix = "http://127.0.0.1:";

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// Content-Length of a response head (lower-case compare), or 0 when absent.
Result<size_t> ContentLength(std::string_view head) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    std::string_view line = head.substr(pos, head.find("\r\n", pos) - pos);
    if (!StartsWithNoCase(line, "content-length:")) continue;
    std::string_view v = line.substr(15);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    size_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc()) return Unavailable("bad Content-Length in response");
    return n;
  }
  return size_t{0};
}

}  // namespace

std::string QueryEscape(std::string_view value) { return sigv4::UriEncode(value, true); }

Result<std::unique_ptr<BenchHttpClient>> BenchHttpClient::Create(std::string_view endpoint,
                                                                 Credentials credentials) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.remove_suffix(1);
  if (endpoint.substr(0, kPrefix.size()) != kPrefix) {
    return InvalidParameter("the endpoint must be http://127.0.0.1:PORT (loopback only), not '" +
                            std::string(endpoint) + "'.");
  }
  std::string_view port_text = endpoint.substr(kPrefix.size());
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return InvalidParameter("the endpoint has a bad port: '" + std::string(endpoint) + "'.");
  }
  auto client = std::unique_ptr<BenchHttpClient>(
      new BenchHttpClient(static_cast<uint16_t>(port), std::move(credentials)));
  STRATO_RETURN_IF_ERROR(client->Connect());
  return client;
}

BenchHttpClient::BenchHttpClient(uint16_t port, Credentials credentials)
    : port_(port),
      credentials_(std::move(credentials)),
      host_header_("127.0.0.1:" + std::to_string(port)) {}

BenchHttpClient::~BenchHttpClient() { Disconnect(); }

Status BenchHttpClient::Connect() {
  Disconnect();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Status s = Unavailable(std::string("connect to ") + host_header_ + ": " + std::strerror(errno));
    Disconnect();
    return s;
  }
  return OkStatus();
}

void BenchHttpClient::Disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status BenchHttpClient::SendAll(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable(std::string("send: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status BenchHttpClient::Fill() {
  char chunk[64 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable(std::string("recv: ") + std::strerror(errno));
    if (n == 0) return Unavailable("the server closed the connection");
    buffer_.append(chunk, static_cast<size_t>(n));
    return OkStatus();
  }
}

Result<HttpResult> BenchHttpClient::ReadResponse() {
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    STRATO_RETURN_IF_ERROR(Fill());
  }
  std::string_view head(buffer_.data(), head_end + 2);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return Unavailable("bad status line");
  HttpResult result;
  std::from_chars(head.data() + 9, head.data() + 12, result.status);
  STRATO_ASSIGN_OR_RETURN(size_t length, ContentLength(head));
  const size_t body_start = head_end + 4;
  while (buffer_.size() < body_start + length) STRATO_RETURN_IF_ERROR(Fill());
  result.body.assign(buffer_, body_start, length);
  buffer_.erase(0, body_start + length);
  return result;
}

Result<HttpResult> BenchHttpClient::Request(std::string_view method, std::string_view target,
                                            std::string_view body, bool sign) {
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  request_.clear();
  request_.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  request_.append(host_header_).append("\r\n");
  if (!body.empty()) request_.append("Content-Type: application/json\r\n");
  request_.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  if (sign && !credentials_.access_key_id.empty()) {
    sigv4::SignedHeaders h = sigv4::SignRequest(
        method, path, query, {{"host", host_header_}}, body, credentials_.access_key_id,
        credentials_.secret_access_key, credentials_.region, "strato",
        std::chrono::system_clock::now());
    request_.append("Authorization: ").append(h.authorization).append("\r\n");
    request_.append("X-Amz-Date: ").append(h.amz_date).append("\r\n");
    request_.append("X-Amz-Content-Sha256: ").append(h.content_sha256).append("\r\n");
  }
  request_.append("\r\n").append(body);

  // A keep-alive connection the server closed while idle fails on first use, before the
  // server read anything: reconnect once and resend.
  for (int attempt = 0;; ++attempt) {
    if (fd_ < 0) STRATO_RETURN_IF_ERROR(Connect());
    Status sent = SendAll(request_);
    Result<HttpResult> r = sent.ok() ? ReadResponse() : Result<HttpResult>(sent);
    if (r.ok() || attempt > 0 || !buffer_.empty()) {
      if (!r.ok()) Disconnect();
      return r;
    }
    Disconnect();
  }
}

}  // namespace strato::bench

#pragma once
// Test-only: a deliberately dumb HTTP/1.1 client over a blocking loopback socket, so tests can
// send arbitrary (even malformed) bytes and see exactly what the server answers. Every receive
// times out after 5 s, so a broken server fails a test instead of hanging it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace strato::http {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names; last one wins
  std::string body;
  bool Has(const std::string& name) const { return headers.count(name) > 0; }
  std::string Get(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpTestClient {
 public:
  explicit HttpTestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~HttpTestClient() { ::close(fd_); }
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  // False if the server has closed the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response; for a HEAD request pass head_request so no body is expected.
  std::optional<TestResponse> Read(bool head_request = false) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    TestResponse response;
    std::string head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    for (size_t pos = line_end + 2; pos < head.size();) {
      size_t next = head.find("\r\n", pos);
      std::string line = head.substr(pos, next - pos);
      pos = next + 2;
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value_start = line.find_first_not_of(' ', colon + 1);
      response.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
    }
    bool bodiless = head_request || response.status / 100 == 1 || response.status == 204 ||
                    response.status == 304;
    if (bodiless) return response;
    if (!response.Has("content-length")) {  // delimited by close
      while (Fill()) {
      }
      response.body = std::move(buffer_);
      buffer_.clear();
      return response;
    }
    size_t length = std::stoul(response.Get("content-length"));
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  std::optional<TestResponse> RoundTrip(std::string_view request, bool head_request = false) {
    if (!Send(request)) return std::nullopt;
    return Read(head_request);
  }

  // True when the server closes (EOF or reset) within the receive timeout with nothing unread.
  bool ServerClosed() {
    if (!buffer_.empty()) return false;
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    if (n > 0) buffer_.push_back(byte);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

// "METHOD target HTTP/1.1" with a Host header, `extra_headers` (each ending in \r\n) and a
// Content-Length when there is a body.
inline std::string MakeRequest(std::string_view method, std::string_view target,
                               std::string_view body = {}, std::string_view extra_headers = {}) {
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers);
  if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return request + "\r\n" + std::string(body);
}

}  // namespace strato::http

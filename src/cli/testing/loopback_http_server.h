#pragma once
// Test-only: a tiny HTTP/1.1 server on 127.0.0.1 (plain POSIX sockets, one thread) that
// records every request and answers through a handler. Serves keep-alive connections one at a
// time, which is all a single curl easy handle needs. Not for production use.
// Thread-safety: the handler runs on the server thread; requests()/connections() lock.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace strato::cli::testing {

struct RecordedRequest {
  std::string method;
  std::string target;                                        // path?query as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;

  std::string Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() == name.size() &&
          std::equal(key.begin(), key.end(), name.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return value;
      }
    }
    return "";
  }
  std::string Path() const { return target.substr(0, target.find('?')); }
  std::string Query() const {
    const size_t q = target.find('?');
    return q == std::string::npos ? "" : target.substr(q + 1);
  }
};

struct CannedReply {
  int status = 200;
  std::string body;
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<CannedReply(const RecordedRequest&)>;

  explicit LoopbackHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe(stop_pipe_) != 0) {
      throw std::runtime_error("cannot start loopback server");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~LoopbackHttpServer() {
    const char byte = 'x';
    (void)!::write(stop_pipe_[1], &byte, 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
  }

  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int connections() const {
    std::lock_guard<std::mutex> lock(mu_);
    return connections_;
  }

  // A port nothing listens on (bound, then closed), for connection-refused tests.
  static int UnusedPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }

 private:
  // Waits until fd is readable; false when asked to stop.
  bool WaitReadable(int fd) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0) {
    }
    return (fds[1].revents & POLLIN) == 0;
  }

  void Serve() {
    while (WaitReadable(listen_fd_)) {
      const int conn = ::accept(listen_fd_, nullptr, nullptr);
      if (conn < 0) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++connections_;
      }
      ServeConnection(conn);
      ::close(conn);
    }
  }

  void ServeConnection(int conn) {
    std::string buffer;
    for (;;) {
      RecordedRequest request;
      if (!ReadRequest(conn, buffer, request)) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      const CannedReply reply = handler_(request);
      std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " Canned\r\n";
      response += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
      if (!reply.body.empty()) response += "Content-Type: application/json\r\n";
      response += "x-request-id: req-" + std::to_string(requests().size()) + "\r\n\r\n";
      response += reply.body;
      for (size_t sent = 0; sent < response.size();) {
        const ssize_t n =
            ::send(conn, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
    }
  }

  bool Fill(int conn, std::string& buffer) {
    if (!WaitReadable(conn)) return false;
    char chunk[4096];
    const ssize_t n = ::recv(conn, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool ReadRequest(int conn, std::string& buffer, RecordedRequest& request) {
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(conn, buffer)) return false;
    }
    const std::string head = buffer.substr(0, end);
    buffer.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.rfind(' ');
    request.method = request_line.substr(0, sp1);
    request.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t content_length = 0;
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      request.headers.emplace_back(line.substr(0, colon), value);
    }
    const std::string length = request.Header("Content-Length");
    if (!length.empty()) content_length = std::stoul(length);
    while (buffer.size() < content_length) {
      if (!Fill(conn, buffer)) return false;
    }
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    return true;
  }

  Handler handler_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;  // GUARDED_BY(mu_)
  int connections_ = 0;                    // GUARDED_BY(mu_)
};

}  // namespace strato::cli::testing

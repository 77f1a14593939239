#include "drivers/hypervisor/qemu/qmp_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace strato {

using nlohmann::json;

namespace {

Result<int> ConnectUnix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal("socket: " + std::string(strerror(errno)));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    ::close(fd);
    return Internal("QMP socket path too long: " + path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    ::close(fd);
    return Unavailable("connect " + path + ": " + strerror(e));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<QmpClient>> QmpClient::Connect(const std::string& socket_path,
                                                      std::chrono::milliseconds timeout,
                                                      EventFn on_event, CloseFn on_close) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Result<int> fd = Unavailable("not tried");
  for (;;) {
    fd = ConnectUnix(socket_path);
    if (fd.ok() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!fd.ok()) return fd.status();
  std::unique_ptr<QmpClient> c(new QmpClient(*fd, std::move(on_event), std::move(on_close)));
  Status s = c->Handshake();
  if (!s.ok()) {
    c->Close();
    return s;
  }
  c->reader_ = std::thread([p = c.get()] { p->ReaderLoop(); });
  return c;
}

QmpClient::QmpClient(int fd, EventFn on_event, CloseFn on_close)
    : fd_(fd), on_event_(std::move(on_event)), on_close_(std::move(on_close)) {}

QmpClient::~QmpClient() { Close(); }

void QmpClient::Close() {
  closing_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable() && reader_.get_id() != std::this_thread::get_id()) reader_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  closed_ = true;
  cv_.notify_all();
}

Status QmpClient::SendLine(const std::string& line) {
  std::lock_guard lock(write_mu_);
  std::string data = line + "\n";
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return Unavailable("QMP socket closed");
    off += static_cast<size_t>(n);
  }
  return OkStatus();
}

// Used only during the handshake, before the reader thread exists.
Result<json> QmpClient::ReadMessageBlocking(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) return Internal("QMP sent malformed JSON");
      return j;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Unavailable("QMP timed out");
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return Unavailable("QMP socket closed during handshake");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

Status QmpClient::Handshake() {
  STRATO_ASSIGN_OR_RETURN(auto greeting, ReadMessageBlocking(std::chrono::seconds(10)));
  if (!greeting.contains("QMP")) return Internal("QMP greeting missing");
  STRATO_RETURN_IF_ERROR(SendLine(R"({"execute":"qmp_capabilities","id":0})"));
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(auto reply, ReadMessageBlocking(std::chrono::seconds(10)));
    if (reply.contains("return")) return OkStatus();
    if (reply.contains("error")) return Internal("qmp_capabilities refused");
    // Events may arrive before the reply; they precede anything we care about.
  }
}

void QmpClient::ReaderLoop() {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    buffer_.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buffer_.find('\n')) != std::string::npos) {
      json j = json::parse(buffer_.substr(0, nl), nullptr, false);
      buffer_.erase(0, nl + 1);
      if (j.is_discarded() || !j.is_object()) continue;
      if (j.contains("event")) {
        if (on_event_) on_event_(j["event"].get<std::string>(), j.value("data", json::object()));
      } else if (j.contains("id") && j["id"].is_number_integer()) {
        // Read the id first: in `a[key] = std::move(j)` the right side is evaluated first.
        const int64_t id = j["id"].get<int64_t>();
        std::lock_guard lock(mu_);
        replies_[id] = std::move(j);
        cv_.notify_all();
      }
    }
  }
  closed_ = true;
  cv_.notify_all();
  if (!closing_ && on_close_) on_close_();
}

Result<json> QmpClient::Execute(const std::string& command, const json& arguments,
                                std::chrono::milliseconds timeout) {
  if (closed_) return Unavailable("QMP connection is closed");
  int64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
  }
  json msg{{"execute", command}, {"id", id}};
  if (!arguments.is_null()) msg["arguments"] = arguments;
  STRATO_RETURN_IF_ERROR(SendLine(msg.dump()));
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return replies_.count(id) || closed_.load(); })) {
    return Unavailable("QMP command " + command + " timed out");
  }
  auto it = replies_.find(id);
  if (it == replies_.end()) return Unavailable("QEMU exited during " + command);
  json reply = std::move(it->second);
  replies_.erase(it);
  if (reply.contains("error")) {
    return Internal("QMP " + command + ": " + reply["error"].value("desc", "error"));
  }
  return reply.value("return", json::object());
}

}  // namespace strato

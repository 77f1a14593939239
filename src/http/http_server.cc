#include "http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/http_connection.h"

namespace strato::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using internal::Connection;
using internal::ServerContext;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Handler handler, MetricsRegistry& metrics)
      : context_(std::move(options), std::move(handler), metrics),
        accept_strand_(asio::make_strand(io_context_)),
        acceptor_(accept_strand_) {}

  Status Listen();
  uint16_t port() const { return port_; }
  void Start();
  void Stop();

 private:
  enum class State { kBound, kRunning, kStopped };

  asio::awaitable<void> AcceptLoop();
  void RunIoThread();
  void OnConnectionDone(uint64_t id);
  void ForEachConnection(void (Connection::*action)());                       // requires mu_ held
  bool Drained() const { return accept_loop_done_ && connections_.empty(); }  // requires mu_

  // Declared first so it is destroyed last: coroutine frames destroyed with io_context_ and
  // handlers still queued on its worker pool refer to it.
  ServerContext context_;
  asio::io_context io_context_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> io_threads_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;

  std::mutex stop_mu_;  // serialises whole Stop() calls so a second caller waits for the first
  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kBound;                                          // GUARDED_BY(mu_)
  bool accept_loop_done_ = false;                                        // GUARDED_BY(mu_)
  uint64_t next_connection_id_ = 0;                                      // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
};

Status HttpServer::Impl::Listen() {
  const ServerOptions& options = context_.options;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return InvalidParameter("listen address '" + options.address + "' is not an IP address");
  tcp::endpoint endpoint(address, options.port);
  const std::string where = options.address + ":" + std::to_string(options.port);
  acceptor_.open(endpoint.protocol(), ec);
  // Lets a restarted daemon rebind while old connections sit in TIME_WAIT; on Linux it does
  // not allow two listeners on one port, so a busy port still fails below.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return Unavailable("cannot read the bound port of " + where + ": " + ec.message());
  return OkStatus();
}

void HttpServer::Impl::Start() {
  std::lock_guard lock(mu_);
  if (state_ != State::kBound) return;
  state_ = State::kRunning;
  work_.emplace(io_context_.get_executor());
  asio::co_spawn(accept_strand_, AcceptLoop(), [this](std::exception_ptr error) {
    if (error) spdlog::error("http: accept loop failed");
    std::lock_guard lock(mu_);
    accept_loop_done_ = true;
    cv_.notify_all();
  });
  for (int i = 0; i < context_.options.io_threads; ++i) {
    io_threads_.emplace_back([this] { RunIoThread(); });
  }
  spdlog::info("http: listening on {}:{}", context_.options.address, port_);
}

void HttpServer::Impl::RunIoThread() {
  for (;;) {
    try {
      io_context_.run();
      return;
    } catch (const std::exception& e) {
      // Every coroutine catches its own errors; anything here is a bug, but keep serving.
      spdlog::error("http: I/O thread caught: {}", e.what());
    }
  }
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_context_),
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (context_.stopping.load() || !acceptor_.is_open()) co_return;
      // Typically EMFILE: back off instead of spinning on a listener that cannot accept.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(accept_strand_, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    // A response goes out as a header write then body writes; with Nagle on, a small body
    // waits for the client's delayed ACK of the header (40 ms on Linux) on every request.
    boost::system::error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);  // best effort: only latency suffers
    auto connection = std::make_shared<Connection>(context_, tcp::socket(std::move(socket)));
    uint64_t id = 0;
    bool stopping = false;
    {
      std::lock_guard lock(mu_);
      // Checked under mu_ so Stop() either sees this connection or it sees `stopping`.
      stopping = context_.stopping.load();
      if (!stopping) {
        id = next_connection_id_++;
        connections_.emplace(id, connection);
      }
    }
    if (stopping) co_return;  // the connection's destructor closes the socket
    asio::co_spawn(
        connection->executor(), [connection] { return connection->Run(); },
        [this, id](std::exception_ptr error) {
          if (error) spdlog::error("http: connection coroutine escaped an exception");
          OnConnectionDone(id);
        });
  }
}

void HttpServer::Impl::OnConnectionDone(uint64_t id) {
  std::lock_guard lock(mu_);
  connections_.erase(id);
  if (connections_.empty()) cv_.notify_all();
}

void HttpServer::Impl::ForEachConnection(void (Connection::*action)()) {
  for (const auto& [id, weak] : connections_) {
    if (auto connection = weak.lock()) {
      asio::post(connection->executor(), [connection, action] { (connection.get()->*action)(); });
    }
  }
}

void HttpServer::Impl::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  std::unique_lock lock(mu_);
  if (state_ == State::kStopped) return;
  if (state_ == State::kBound) {  // never started: nothing runs yet
    state_ = State::kStopped;
    boost::system::error_code ec;
    acceptor_.close(ec);
    lock.unlock();
    context_.workers.join();
    return;
  }
  context_.stopping.store(true);
  asio::post(accept_strand_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  ForEachConnection(&Connection::CloseIfIdle);
  if (!cv_.wait_for(lock, context_.options.shutdown_grace, [this] { return Drained(); })) {
    spdlog::warn("http: {} connections still busy after {}s; closing them", connections_.size(),
                 context_.options.shutdown_grace.count());
    ForEachConnection(&Connection::ForceClose);
    // A handler still running cannot be interrupted; its connection ends when it returns.
    while (!cv_.wait_for(lock, std::chrono::seconds(5), [this] { return Drained(); })) {
      spdlog::warn("http: waiting for {} handlers to return", connections_.size());
    }
  }
  lock.unlock();
  work_.reset();
  io_context_.stop();
  for (auto& thread : io_threads_) thread.join();
  context_.workers.join();
  lock.lock();
  state_ = State::kStopped;
  spdlog::info("http: stopped listening on {}:{}", context_.options.address, port_);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(ServerOptions options, Handler handler,
                                                       MetricsRegistry& metrics) {
  if (options.io_threads < 1 || options.worker_threads < 1) {
    return InvalidParameter("io_threads and worker_threads must be at least 1");
  }
  if (!handler) return InvalidParameter("handler must not be empty");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), metrics);
  STRATO_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Start() { impl_->Start(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace strato::http

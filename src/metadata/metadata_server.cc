#include "metadata/metadata_server.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "metadata/metadata_handler.h"

namespace strato {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> HeaderOf(const bhttp::request<bhttp::string_body>& req,
                                    std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return std::string(it->value());
}

}  // namespace

class MetadataServer::Impl {
 public:
  Impl(MetadataRegistry& registry, const MetadataTokenSigner& signer, MetadataServerOptions o)
      : registry_(registry), signer_(signer), options_(o), work_(asio::make_work_guard(io_)) {}

  void Start() {
    std::lock_guard lock(mu_);
    if (!threads_.empty() || stopped_) return;
    for (int k = 0; k < options_.io_threads; ++k) threads_.emplace_back([this] { io_.run(); });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      for (auto& [segment, acceptor] : acceptors_) CloseOnIo(acceptor);
      acceptors_.clear();
    }
    work_.reset();
    io_.stop();  // open keep-alive connections end with the io_context
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  void AddListener(const std::string& segment, UniqueFd fd) {
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    boost::system::error_code ec;
    acceptor->assign(tcp::v4(), fd.get(), ec);
    if (ec) {
      spdlog::error("metadata: cannot serve the listener of {}: {}", segment, ec.message());
      return;
    }
    (void)fd.Release();
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (auto it = acceptors_.find(segment); it != acceptors_.end()) CloseOnIo(it->second);
    acceptors_[segment] = acceptor;
    asio::co_spawn(io_, Accept(acceptor, segment), asio::detached);
  }

  void RemoveListener(const std::string& segment) {
    std::lock_guard lock(mu_);
    auto it = acceptors_.find(segment);
    if (it == acceptors_.end()) return;
    CloseOnIo(it->second);
    acceptors_.erase(it);
  }

  std::set<std::string> Segments() const {
    std::lock_guard lock(mu_);
    std::set<std::string> out;
    for (const auto& [segment, a] : acceptors_) out.insert(segment);
    return out;
  }

 private:
  // shared_ptr: the accept loop and the map both hold the acceptor; it lives until both let go.
  void CloseOnIo(std::shared_ptr<tcp::acceptor> a) {
    asio::post(io_, [a] {
      boost::system::error_code ec;
      a->close(ec);
    });
  }

  asio::awaitable<void> Accept(std::shared_ptr<tcp::acceptor> acceptor, std::string segment) {
    for (;;) {
      auto [ec, socket] = co_await acceptor->async_accept(kTuple);
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      if (ec) {
        spdlog::warn("metadata {}: accept: {}", segment, ec.message());
        continue;
      }
      asio::co_spawn(io_, Serve(std::move(socket), segment), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket, std::string segment) {
    boost::system::error_code ec;
    const std::string peer = socket.remote_endpoint(ec).address().to_string();
    if (ec) co_return;
    const int fd = socket.native_handle();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser.body_limit(4096);
      stream.expires_after(std::chrono::seconds(options_.idle_timeout_s));
      auto [rec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      if (rec) co_return;
      const auto& req = parser.get();
      std::string target(req.target());
      MetadataRequest r;
      r.method = std::string(req.method_string());
      r.path = target.substr(0, target.find('?'));
      r.token = HeaderOf(req, "X-aws-ec2-metadata-token");
      r.token_ttl = HeaderOf(req, "X-aws-ec2-metadata-token-ttl-seconds");
      r.forwarded = req.find("X-Forwarded-For") != req.end();
      // Looked up per request: options and snapshots change while connections stay open.
      MetadataRegistry::Snapshot who = registry_.Find(segment, peer);
      MetadataResponse out = HandleMetadataRequest(who.get(), r, signer_, NowSeconds());
      // The hop limit: a response cannot travel further than this many routers.
      int ttl = out.ip_ttl;
      ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status),
                                              req.version()};
      res.set(bhttp::field::server, "EC2ws");
      res.set(bhttp::field::content_type, out.content_type);
      if (out.token_ttl) res.set("X-aws-ec2-metadata-token-ttl-seconds", *out.token_ttl);
      const bool head = req.method() == bhttp::verb::head;
      res.body() = std::move(out.body);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (head) res.body().clear();  // Content-Length stays that of the GET
      auto [wec, w] = co_await bhttp::async_write(stream, res, kTuple);
      if (wec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  MetadataRegistry& registry_;
  const MetadataTokenSigner& signer_;
  const MetadataServerOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<tcp::acceptor>> acceptors_;  // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;                                 // GUARDED_BY(mu_)
  bool stopped_ = false;                                             // GUARDED_BY(mu_)
};

MetadataServer::MetadataServer(MetadataRegistry& registry, const MetadataTokenSigner& signer,
                               MetadataServerOptions options)
    : impl_(std::make_unique<Impl>(registry, signer, options)) {}
MetadataServer::~MetadataServer() { Stop(); }
void MetadataServer::Start() { impl_->Start(); }
void MetadataServer::Stop() { impl_->Stop(); }
void MetadataServer::AddListener(const std::string& segment, UniqueFd fd) {
  impl_->AddListener(segment, std::move(fd));
}
void MetadataServer::RemoveListener(const std::string& segment) { impl_->RemoveListener(segment); }
std::set<std::string> MetadataServer::Segments() const { return impl_->Segments(); }

}  // namespace strato

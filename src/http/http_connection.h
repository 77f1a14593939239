#pragma once
// Internal to strato_http: one accepted TCP connection, served by one coroutine on its own
// strand. Includes Asio/Beast — only http_*.cc files of this folder may include it.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http/http_server.h"
#include "http/http_types.h"
#include "http/request_observer.h"

namespace strato::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;

class StreamingBody;

// Completion token of every operation here: errors come back as values, never thrown.
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Calls `handler`; an exception it throws is logged and answered with 500 InternalError.
Response RunHandler(const Handler& handler, Request& request);

// What every connection shares with the server. Owned by HttpServer::Impl, which keeps it alive
// until every connection coroutine has finished and the worker pool is joined.
struct ServerContext {
  ServerContext(ServerOptions opts, Handler h, MetricsRegistry& metrics)
      : options(std::move(opts)),
        handler(std::move(h)),
        workers(static_cast<size_t>(options.worker_threads)),
        observer(metrics) {}

  const ServerOptions options;
  const Handler handler;
  asio::thread_pool workers;
  RequestObserver observer;
  std::atomic<bool> stopping{false};  // set once by Stop(); connections then finish and close
};

// Held by shared_ptr: the coroutine owns it, and Stop() reaches it through a weak_ptr to close it
// from the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `socket` must be bound to a strand; the coroutine and every call below run on it.
  Connection(ServerContext& context, asio::ip::tcp::socket socket);

  asio::any_io_executor executor() { return stream_.get_executor(); }

  // Serves requests until the peer closes, an error, a timeout, or shutdown. Never throws.
  asio::awaitable<void> Run();

  // On the strand: closes the connection if it is waiting for a new request with no byte of it
  // received yet; otherwise it closes after answering the request in progress.
  void CloseIfIdle();
  // On the strand: closes now; operations in progress fail and the coroutine ends.
  void ForceClose();

 private:
  using Parser = beast::http::request_parser<beast::http::string_body>;

  // Reads, dispatches and answers one request; false when the connection must end.
  asio::awaitable<bool> ServeOne();
  // Answers a failed read (413, 431, 400) when the peer may still listen; always false.
  asio::awaitable<bool> AnswerReadError(beast::error_code ec, const Exchange& exchange);
  // Sends an error response without calling the handler, then closes; always false.
  asio::awaitable<bool> Reject(int status, std::string_view code, std::string message,
                               const Exchange& exchange);
  asio::awaitable<Response> Dispatch(Request& request);
  // Serves a request whose handler reads the body as it arrives (ServerOptions::stream_body).
  // In http_connection_streaming.cc, like the helpers below it.
  asio::awaitable<bool> ServeStreaming(Request& request, Exchange& exchange);
  // What a streaming request shares between this coroutine and the handler's thread.
  struct StreamingState;
  // How reading a streamed body ended: `error` from the socket or the parser, and whether
  // every byte of it was read (so the connection can serve another request).
  struct BodyEnd {
    beast::error_code error;
    bool complete = false;
  };
  // Waits until the handler frees a slot (true; only while `reading`) or returns (false).
  asio::awaitable<bool> AwaitRoom(StreamingState& state, bool reading);
  // `ec` of a body read, or no error if it only means the handler has returned.
  static beast::error_code ReadError(beast::error_code ec, const StreamingState& state);
  // A Content-Length body: read from the socket straight into the body's buffers.
  asio::awaitable<BodyEnd> PumpLengthBody(StreamingState& state, uint64_t length);
  // A chunked body: decoded by Beast's parser, then copied into the body's buffers.
  asio::awaitable<BodyEnd> PumpChunkedBody(StreamingState& state);
  // Answers `Expect: 100-continue` when a body is still to come; false if the write failed.
  asio::awaitable<bool> SendContinueIfExpected(const beast::http::request_header<>& header,
                                               bool body_pending);
  // Writes the header of `message`, then the body from `source`.
  asio::awaitable<beast::error_code> WriteStreamed(
      beast::http::response<beast::http::string_body>& message, BodySource& source);
  // Sends `size` bytes of a file with sendfile: the kernel copies from the page cache to the
  // socket, nothing passes through user space.
  asio::awaitable<beast::error_code> SendFile(BodySource::FileRange file, uint64_t size);
  // Sends `response` and records it; false if the write failed.
  asio::awaitable<bool> Send(Exchange& exchange, Response& response, int version, bool keep_alive);
  // Half-closes, then drains what the peer is still sending (bounded) so that closing does not
  // reset the connection before the peer has read our error response.
  asio::awaitable<void> LingeringClose();
  void Close();

  ServerContext& context_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::string remote_address_;
  bool idle_ = false;  // waiting for the first byte of a request
};

}  // namespace strato::http::internal

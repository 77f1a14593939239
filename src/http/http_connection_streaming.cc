// Connection's streamed bodies: requests whose handler reads the body as it arrives, and
// responses sent from a BodySource. Split from http_connection.cc, which serves the rest.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/sendfile.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <memory>
#include <vector>

#include "http/http_connection.h"
#include "http/streaming_body.h"

namespace strato::http::internal {
namespace {

namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// A streaming body's buffer: large enough that reading, handing over and hashing cost little
// per byte (1 GiB is 1,024 hand-overs), small enough that the chunks ahead stay cheap.
constexpr size_t kStreamChunkBytes = 1 << 20;
// Chunks of a streaming request body buffered ahead of the handler (memory per upload).
constexpr size_t kStreamChunksAhead = 4;
// Read size of the parser for chunked bodies (Beast reads at most 64 KiB at a time anyway).
constexpr size_t kParsedReadBytes = 256 << 10;
// Bytes per sendfile call; the socket buffer usually takes less.
constexpr uint64_t kSendfileBytes = 16 << 20;
// How far ahead of sendfile the file is asked into the page cache: a file that is not cached
// (an object evicted from the page cache) is otherwise read in readahead-sized synchronous steps.
constexpr uint64_t kPrefetchBytes = 8 << 20;
// Buffer of a response body read from a BodySource that is not a file.
constexpr size_t kResponseChunkBytes = 256 << 10;

bool IsHttpError(const beast::error_code& ec) {
  static const auto& kHttpCategory = bhttp::make_error_code(bhttp::error::bad_method).category();
  return ec.category() == kHttpCategory;
}

Status BodyLimitError(uint64_t limit) {
  return PayloadTooLarge(fmt::format("The request body exceeds the limit of {} bytes.", limit));
}

Status IncompleteBodyError(const beast::error_code& ec) {
  return BadRequest("IncompleteBody", "The request body ended early: " + ec.message() + ".");
}

}  // namespace

struct Connection::StreamingState {
  std::shared_ptr<StreamingBody> body;
  // Wakes this coroutine when the handler frees buffer space or returns. A cancel that
  // arrives while nobody waits is harmless: the loops re-check their conditions.
  std::shared_ptr<asio::steady_timer> wake;
  std::shared_ptr<bool> handler_done;  // read and written on the strand only
};

asio::awaitable<bool> Connection::ServeStreaming(Request& request, Exchange& exchange) {
  const ServerOptions& options = context_.options;
  const bool keep_alive = parser_->get().keep_alive();
  const int version = static_cast<int>(parser_->get().version());
  auto length = parser_->content_length();
  if (length && *length > options.max_stream_bytes) {
    co_return co_await Reject(413, "RequestEntityTooLarge",
                              fmt::format("The request body exceeds the limit of {} bytes.",
                                          options.max_stream_bytes),
                              exchange);
  }
  if (!co_await SendContinueIfExpected(parser_->get(), !parser_->is_done())) co_return false;

  std::optional<uint64_t> declared;
  if (length && !parser_->chunked()) declared = *length;
  auto strand = executor();
  StreamingState state;
  state.wake = std::make_shared<asio::steady_timer>(strand);
  state.handler_done = std::make_shared<bool>(false);
  state.body = std::make_shared<StreamingBody>(
      declared, kStreamChunksAhead,
      [wake = state.wake, strand] { asio::post(strand, [wake] { wake->cancel(); }); });
  request.body_stream = state.body.get();
  auto response = std::make_shared<Response>();
  // `request` lives in ServeOne's frame, which waits below until the handler is done.
  asio::post(context_.workers,
             [this, self = shared_from_this(), &request, body = state.body, response,
              handler_done = state.handler_done, wake = state.wake,
              work = asio::make_work_guard(strand)] {
               *response = RunHandler(context_.handler, request);
               body->Abandon();
               asio::post(work.get_executor(), [this, self, handler_done, wake] {
                 *handler_done = true;
                 wake->cancel();
                 // A read in progress would wait for body bytes the client may hold back
                 // until it hears the answer.
                 stream_.socket().cancel();
               });
             });

  const BodyEnd end = parser_->chunked() ? co_await PumpChunkedBody(state)
                                         : co_await PumpLengthBody(state, declared.value_or(0));
  stream_.expires_never();

  if (end.error && !IsHttpError(end.error)) co_return false;  // nobody to answer
  if (end.error == bhttp::error::body_limit) {
    *response = MakeErrorResponse(413, "RequestEntityTooLarge",
                                  BodyLimitError(options.max_stream_bytes).message(),
                                  request.request_id);
  }
  exchange.request_id = request.request_id;
  exchange.method = request.method;
  exchange.target = request.target;
  // Unread or unparseable body bytes leave the connection unusable for another request.
  const bool keep_open = keep_alive && !end.error && end.complete && !context_.stopping.load();
  const bool sent = co_await Send(exchange, *response, version, keep_open);
  co_return sent&& keep_open;
}

beast::error_code Connection::ReadError(beast::error_code ec, const StreamingState& state) {
  // Cancelled because the handler returned: the body is merely unfinished (the connection
  // closes after the answer), not broken.
  if (ec == asio::error::operation_aborted && *state.handler_done) return {};
  return ec;
}

asio::awaitable<bool> Connection::AwaitRoom(StreamingState& state, bool reading) {
  for (;;) {
    if (*state.handler_done) co_return false;
    if (reading && !state.body->abandoned() && state.body->HasRoom()) co_return true;
    state.wake->expires_at(asio::steady_timer::time_point::max());
    co_await state.wake->async_wait(kTuple);
  }
}

asio::awaitable<Connection::BodyEnd> Connection::PumpLengthBody(StreamingState& state,
                                                                uint64_t length) {
  StreamingBody& body = *state.body;
  uint64_t left = length;
  // The header read may have taken the body's first bytes with it.
  const size_t early = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), left));
  if (early > 0) {
    body.PushCopy(static_cast<const char*>(buffer_.data().data()), early,
                  static_cast<size_t>(std::min<uint64_t>(kStreamChunkBytes, left)));
    buffer_.consume(early);
    left -= early;
  }
  if (left == 0) body.Finish();
  beast::error_code ec;
  while (co_await AwaitRoom(state, left > 0 && !ec)) {
    // Reads exactly the body's bytes (never past them: they may be the next request's).
    BodyChunk chunk = body.TakeBuffer(static_cast<size_t>(std::min<uint64_t>(kStreamChunkBytes, left)));
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.capacity, left));
    while (chunk.size < want && !ec && !*state.handler_done && !body.abandoned()) {
      stream_.expires_after(context_.options.idle_timeout);
      auto [read_ec, n] = co_await stream_.async_read_some(
          asio::buffer(chunk.data.get() + chunk.size, want - chunk.size), kTuple);
      chunk.size += n;
      ec = ReadError(read_ec, state);
    }
    left -= chunk.size;
    body.Push(std::move(chunk));
    if (ec) {
      body.Fail(IncompleteBodyError(ec));
    } else if (left == 0) {
      body.Finish();
    }
  }
  co_return BodyEnd{ec, left == 0};
}

asio::awaitable<Connection::BodyEnd> Connection::PumpChunkedBody(StreamingState& state) {
  StreamingBody& body = *state.body;
  const uint64_t limit = context_.options.max_stream_bytes;
  bhttp::request_parser<bhttp::buffer_body> parser(std::move(*parser_));
  parser.body_limit(limit);
  std::vector<char> scratch(kParsedReadBytes);
  beast::error_code ec;
  bool done = parser.is_done();
  if (done) body.Finish();
  while (co_await AwaitRoom(state, !done)) {
    parser.get().body().data = scratch.data();
    parser.get().body().size = scratch.size();
    parser.get().body().more = true;
    stream_.expires_after(context_.options.idle_timeout);
    auto [read_ec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser, kTuple);
    if (read_ec == bhttp::error::need_buffer) read_ec = {};
    read_ec = ReadError(read_ec, state);
    body.PushCopy(scratch.data(), scratch.size() - parser.get().body().size, kStreamChunkBytes);
    if (read_ec) {
      ec = read_ec;
      done = true;
      body.Fail(ec == bhttp::error::body_limit ? BodyLimitError(limit) : IncompleteBodyError(ec));
    } else if (parser.is_done()) {
      done = true;
      body.Finish();
    }
  }
  co_return BodyEnd{ec, !ec && parser.is_done()};
}

asio::awaitable<beast::error_code> Connection::WriteStreamed(
    bhttp::response<bhttp::string_body>& message, BodySource& source) {
  bhttp::response_serializer<bhttp::string_body> serializer(message);
  auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, kTuple);
  if (ec) co_return ec;
  if (auto file = source.file()) co_return co_await SendFile(*file, source.size());
  std::vector<char> chunk(kResponseChunkBytes);
  uint64_t left = source.size();
  while (left > 0) {
    auto got = source.Read(chunk.data(), static_cast<size_t>(std::min<uint64_t>(left, chunk.size())));
    if (!got.ok() || *got == 0) {
      spdlog::error("http: response body source ended {} bytes early: {}", left,
                    got.ok() ? "no more data" : got.status().ToString());
      co_return beast::error_code(asio::error::broken_pipe);  // the short body ends the connection
    }
    stream_.expires_after(context_.options.idle_timeout);
    auto [write_ec, written] =
        co_await asio::async_write(stream_, asio::buffer(chunk.data(), *got), kTuple);
    if (write_ec) co_return write_ec;
    left -= *got;
  }
  co_return beast::error_code{};
}

asio::awaitable<beast::error_code> Connection::SendFile(BodySource::FileRange file, uint64_t size) {
  tcp::socket& socket = stream_.socket();
  beast::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) co_return ec;
  off_t offset = static_cast<off_t>(file.offset);
  const off_t end = offset + static_cast<off_t>(size);
  off_t prefetched = offset;
  uint64_t left = size;
  while (left > 0) {
    // Keeps reads of the next kPrefetchBytes in flight (a hint: the kernel starts them and
    // returns), so the disk works while the socket drains.
    if (prefetched < end && prefetched - offset < static_cast<off_t>(kPrefetchBytes)) {
      const off_t len = std::min<off_t>(static_cast<off_t>(kPrefetchBytes), end - prefetched);
      ::posix_fadvise(file.fd, prefetched, len, POSIX_FADV_WILLNEED);
      prefetched += len;
    }
    ssize_t n = ::sendfile(socket.native_handle(), file.fd, &offset,
                           static_cast<size_t>(std::min(left, kSendfileBytes)));
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) {
      spdlog::error("http: response body file ended {} bytes early", left);
      co_return beast::error_code(asio::error::broken_pipe);  // the short body ends the connection
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      co_return beast::error_code(errno, boost::system::system_category());
    }
    // The socket buffer is full: wait until the peer reads, as long as the idle timeout.
    asio::steady_timer deadline(executor(), context_.options.idle_timeout);
    deadline.async_wait([weak = weak_from_this()](beast::error_code timer_ec) {
      auto self = weak.lock();
      if (self && !timer_ec) self->Close();
    });
    auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_write, kTuple);
    deadline.cancel();
    if (wait_ec) co_return wait_ec;
  }
  co_return beast::error_code{};
}

}  // namespace strato::http::internal

#include "http/http_connection.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <tuple>

#include "common/ids.h"

namespace strato::http::internal {
namespace {

namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kMaxDrainBytes = 1 << 20;
constexpr std::chrono::seconds kDrainTimeout{2};

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Refuses what would let a handler split the response or corrupt the framing.
bool IsValidHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsServerOwnedHeader(std::string_view name) {
  for (std::string_view owned :
       {"content-length", "transfer-encoding", "connection", "server", "x-request-id"}) {
    if (beast::iequals(name, owned)) return true;
  }
  return false;
}

bool ExpectsContinue(const bhttp::request_header<>& message) {
  auto it = message.find(bhttp::field::expect);
  return it != message.end() && beast::iequals(it->value(), "100-continue");
}

// Everything but the body.
Request ToRequest(const bhttp::request_header<>& message, const std::string& remote_address,
                  std::string request_id) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.raw_query = request.target.substr(question + 1);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.request_id = std::move(request_id);
  request.remote_address = remote_address;
  request.version = static_cast<int>(message.version());
  return request;
}

}  // namespace

Response RunHandler(const Handler& handler, Request& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    spdlog::error("http request_id={} handler threw: {}", request.request_id, e.what());
  } catch (...) {
    spdlog::error("http request_id={} handler threw a non-standard exception", request.request_id);
  }
  return MakeErrorResponse(500, "InternalError", "The server failed to process the request.",
                           request.request_id);
}

Connection::Connection(ServerContext& context, tcp::socket socket)
    : context_(context), stream_(std::move(socket)) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
}

asio::awaitable<void> Connection::Run() {
  context_.observer.OnConnectionOpened();
  try {
    while (co_await ServeOne()) {
    }
  } catch (const std::exception& e) {
    spdlog::error("http: connection from {} failed: {}", remote_address_, e.what());
  } catch (...) {
    spdlog::error("http: connection from {} failed with a non-standard exception", remote_address_);
  }
  Close();
  context_.observer.OnConnectionClosed();
}

asio::awaitable<bool> Connection::ServeOne() {
  const ServerOptions& options = context_.options;
  if (context_.stopping.load()) co_return false;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  // A streamed body may be far larger; the limit of the others is checked after the header.
  parser_->body_limit(options.stream_body ? std::max<uint64_t>(options.max_body_bytes,
                                                               options.max_stream_bytes)
                                          : options.max_body_bytes);

  idle_ = true;
  stream_.expires_after(options.idle_timeout);
  auto [header_ec, header_bytes] =
      co_await bhttp::async_read_header(stream_, buffer_, *parser_, kTuple);
  idle_ = false;
  Exchange exchange;
  exchange.start = std::chrono::steady_clock::now();
  exchange.remote_address = remote_address_;
  if (header_ec) co_return co_await AnswerReadError(header_ec, exchange);

  const auto& header = parser_->get();
  if (header.version() == 11 && header.find(bhttp::field::host) == header.end()) {
    co_return co_await Reject(400, "BadRequest", "HTTP/1.1 requests must carry a Host header.",
                              exchange);
  }
  if (options.stream_body) {
    Request head = ToRequest(header, remote_address_, NewRequestId());
    if (options.stream_body(head)) co_return co_await ServeStreaming(head, exchange);
    auto length = parser_->content_length();
    if (length && *length > options.max_body_bytes) {
      co_return co_await AnswerReadError(bhttp::error::body_limit, exchange);
    }
    parser_->body_limit(options.max_body_bytes);  // still counts for a chunked body
  }
  if (!co_await SendContinueIfExpected(header, !parser_->is_done())) co_return false;
  if (!parser_->is_done()) {
    stream_.expires_after(options.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream_, buffer_, *parser_, kTuple);
    if (ec) co_return co_await AnswerReadError(ec, exchange);
  }
  stream_.expires_never();

  auto message = parser_->release();
  const bool keep_alive = message.keep_alive();
  const int version = static_cast<int>(message.version());
  Request request = ToRequest(message, remote_address_, NewRequestId());
  request.body = std::move(message.body());
  Response response = co_await Dispatch(request);

  exchange.request_id = request.request_id;
  exchange.method = request.method;
  exchange.target = request.target;
  // Re-read: shutdown may have begun while the handler ran; then this is the last response.
  const bool keep_open = keep_alive && !context_.stopping.load();
  const bool sent = co_await Send(exchange, response, version, keep_open);
  co_return sent&& keep_open;
}

asio::awaitable<bool> Connection::AnswerReadError(beast::error_code ec, const Exchange& exchange) {
  static const auto& kHttpCategory = bhttp::make_error_code(bhttp::error::bad_method).category();
  if (ec == bhttp::error::body_limit) {
    co_return co_await Reject(413, "RequestEntityTooLarge",
                              fmt::format("The request body exceeds the limit of {} bytes.",
                                          context_.options.max_body_bytes),
                              exchange);
  }
  if (ec == bhttp::error::header_limit) {
    co_return co_await Reject(431, "RequestHeaderFieldsTooLarge",
                              fmt::format("The request header exceeds the limit of {} bytes.",
                                          context_.options.max_header_bytes),
                              exchange);
  }
  if (ec.category() == kHttpCategory && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    co_return co_await Reject(400, "BadRequest",
                              "The request is not valid HTTP/1.1: " + ec.message() + ".", exchange);
  }
  // The peer went away, timed out, or we are shutting down: nobody to answer.
  spdlog::debug("http: connection from {} ended: {}", remote_address_, ec.message());
  co_return false;
}

asio::awaitable<bool> Connection::Reject(int status, std::string_view code, std::string message,
                                         const Exchange& read) {
  std::string request_id = NewRequestId();
  Exchange exchange = read;
  exchange.request_id = request_id;
  // Whatever the parser got before failing; possibly empty.
  exchange.method = parser_->get().method_string();
  exchange.target = parser_->get().target();
  Response response = MakeErrorResponse(status, code, message, request_id);
  if (co_await Send(exchange, response, 11, false)) co_await LingeringClose();
  co_return false;
}

asio::awaitable<Response> Connection::Dispatch(Request& request) {
  // Runs the handler on the worker pool and resumes this coroutine on its strand with the result.
  auto initiate = [this, &request](auto completion) {
    auto work = asio::make_work_guard(asio::get_associated_executor(completion, executor()));
    asio::post(context_.workers, [this, &request, completion = std::move(completion),
                                  work = std::move(work)]() mutable {
      Response response = RunHandler(context_.handler, request);
      auto strand = work.get_executor();
      asio::post(strand,
                 [completion = std::move(completion), response = std::move(response)]() mutable {
                   std::move(completion)(std::move(response));
                 });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      initiate, asio::use_awaitable);
}

asio::awaitable<bool> Connection::Send(Exchange& exchange, Response& response, int version,
                                       bool keep_alive) {
  int status = response.status;
  if (status < 200 || status > 599) {
    spdlog::error("http request_id={} handler returned invalid status {}", exchange.request_id,
                  status);
    response = MakeErrorResponse(500, "InternalError", "The server failed to process the request.",
                                 exchange.request_id);
    status = 500;
  }
  bhttp::response<bhttp::string_body> message;
  message.version(static_cast<unsigned>(version));
  message.result(static_cast<unsigned>(status));
  message.set(bhttp::field::server, "stratod");
  message.set("x-request-id", exchange.request_id);
  if (!response.content_type.empty())
    message.set(bhttp::field::content_type, response.content_type);
  std::optional<uint64_t> head_length;
  for (const auto& [name, value] : response.headers) {
    if (!IsValidHeader(name, value)) {
      spdlog::warn("http request_id={} dropped invalid response header '{}'", exchange.request_id,
                   name);
    } else if (beast::iequals(name, "content-length")) {
      uint64_t n = 0;
      auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (err == std::errc() && end == value.data() + value.size()) head_length = n;
    } else if (beast::iequals(name, "content-type")) {
      message.set(bhttp::field::content_type, value);
    } else if (!IsServerOwnedHeader(name)) {
      message.insert(name, value);
    }
  }
  const bool bodiless_status = status == 204 || status == 304;
  const bool head = exchange.method == "HEAD";
  exchange.body_bytes = 0;
  if (bodiless_status) {
    message.erase(bhttp::field::content_type);
  } else if (head) {
    message.content_length(
        head_length.value_or(response.body_source ? response.body_source->size()
                                                  : response.body.size()));
  } else if (response.body_source) {
    exchange.body_bytes = response.body_source->size();
    message.content_length(response.body_source->size());
  } else {
    exchange.body_bytes = response.body.size();
    message.content_length(response.body.size());
    message.body() = std::move(response.body);
  }
  message.keep_alive(keep_alive);
  exchange.status = status;
  exchange.route = response.route;

  stream_.expires_after(context_.options.idle_timeout);
  beast::error_code ec;
  if (response.body_source && !head && !bodiless_status) {
    ec = co_await WriteStreamed(message, *response.body_source);
  } else {
    std::tie(ec, std::ignore) = co_await bhttp::async_write(stream_, message, kTuple);
  }
  stream_.expires_never();
  context_.observer.OnResponse(exchange);
  if (ec) spdlog::debug("http request_id={} write failed: {}", exchange.request_id, ec.message());
  co_return !ec;
}

asio::awaitable<bool> Connection::SendContinueIfExpected(const bhttp::request_header<>& header,
                                                         bool body_pending) {
  if (!body_pending || header.version() < 11 || !ExpectsContinue(header)) co_return true;
  bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, header.version()};
  auto [ec, n] = co_await bhttp::async_write(stream_, proceed, kTuple);
  co_return !ec;
}

asio::awaitable<void> Connection::LingeringClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream_.expires_after(kDrainTimeout);
  std::array<char, 4096> scratch;
  size_t drained = 0;
  while (drained < kMaxDrainBytes) {
    auto [read_ec, n] = co_await stream_.async_read_some(asio::buffer(scratch), kTuple);
    if (read_ec) break;
    drained += n;
  }
}

void Connection::CloseIfIdle() {
  if (idle_ && buffer_.size() == 0) ForceClose();
}

void Connection::ForceClose() { Close(); }

void Connection::Close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace strato::http::internal

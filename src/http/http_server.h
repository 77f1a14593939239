#pragma once
// HttpServer: an asynchronous HTTP/1.1 server (Boost.Beast, C++20 coroutines) that hands each
// complete request to a blocking Handler on a worker pool.
//
// Protocol behaviour:
//  - keep-alive by default for HTTP/1.1; `Connection: close` and HTTP/1.0 (without
//    `Connection: keep-alive`) close after the response. Pipelined requests are answered in order.
//  - request bodies larger than ServerOptions::max_body_bytes (declared or chunked) are answered
//    413 RequestEntityTooLarge without calling the handler, then the connection is closed.
//  - `Expect: 100-continue` gets "100 Continue" before the body is read (only when within limit).
//  - malformed HTTP (including versions other than 1.0/1.1 and HTTP/1.1 without Host) gets 400,
//    oversized headers 431, without calling the handler; then the connection is closed.
//  - every response carries `x-request-id`, `Server: stratod` and `content-length` (except
//    204/304, which RFC 9110 forbids it on).
//  - connections idle for longer than idle_timeout are closed; so are reads/writes stalled that
//  long.
//  - one access-log line per request via spdlog's default logger at info level.
//  - metrics: strato_http_requests_total{route,method,status} (counter),
//    strato_http_request_duration_seconds{route} (histogram, header parsed -> response written),
//    strato_http_open_connections (gauge).
//
// Lifecycle: Create() binds (so port() is known and a busy port fails early), Start() launches
// the I/O threads, Stop() shuts down gracefully. Thread-safety: Start/Stop/port may be called
// from any thread; Stop is idempotent and also run by the destructor. The server is one-shot:
// Start after Stop does nothing. The MetricsRegistry must outlive the server.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/status.h"
#include "http/http_types.h"

namespace strato::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = ephemeral; read the chosen one with port()
  int io_threads = 2;
  int worker_threads = 8;
  size_t max_body_bytes = 1 << 20;
  // Decides from the request line and headers (body still empty) whether the handler reads
  // the body as it arrives (Request::body_stream) instead of receiving it whole. Such bodies
  // may be up to max_stream_bytes. A handler that returns before reading to the end gets its
  // response sent and the connection closed.
  std::function<bool(const Request&)> stream_body;
  uint64_t max_stream_bytes = uint64_t{5} << 40;  // 5 TiB, the S3 object limit
  size_t max_header_bytes = 64 << 10;
  std::chrono::seconds idle_timeout{60};
  // How long Stop() lets in-flight requests finish before closing their connections.
  std::chrono::seconds shutdown_grace{10};
};

class HttpServer {
 public:
  // Errors: InvalidParameterValue (bad address or thread counts), ServiceUnavailable with the
  // OS reason when the address cannot be bound (e.g. port already in use).
  static Result<std::unique_ptr<HttpServer>> Create(ServerOptions options, Handler handler,
                                                    MetricsRegistry& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  uint16_t port() const;

  // Starts accepting on io_threads threads; returns immediately.
  void Start();

  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish and
  // their responses be written (up to shutdown_grace, then closes their connections), then
  // joins all threads. A handler that is still running is waited for: it cannot be interrupted.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strato::http

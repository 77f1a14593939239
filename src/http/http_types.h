#pragma once
// Request and Response: the HTTP messages exchanged between HttpServer and a Handler.
//
// Plain value types with no Boost dependency, so every front end (native REST, EC2, S3, IMDS)
// can include this header cheaply. Thread-safety: value types; one thread at a time.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace strato::http {

// The body of a streaming request (see ServerOptions::stream_body), read by the handler while
// the connection is still receiving it; at most a few chunks are ever buffered, so a body of
// any size costs the server constant memory. Used from the handler's thread only.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Blocks until some bytes arrive; copies up to `max` of them to `out`. 0 = end of body.
  // Errors: IncompleteBody (the client broke off, stalled past the idle timeout, or sent
  // malformed chunking), RequestEntityTooLarge (over ServerOptions::max_stream_bytes).
  virtual Result<size_t> Read(char* out, size_t max) = 0;
  // The declared Content-Length; nullopt for a chunked body.
  virtual std::optional<uint64_t> content_length() const = 0;
};

// The body of a streamed response: read on the connection's thread as it is written, so an
// object of any size is sent in constant memory. Read must not block for long (a local file).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Exactly this many bytes are sent (the Content-Length).
  virtual uint64_t size() const = 0;
  // Copies up to `max` next bytes to `out`; returns how many (> 0 until size() are given).
  // An error, or 0 early, ends the connection: the client sees a short body.
  virtual Result<size_t> Read(char* out, size_t max) = 0;

  // The bytes as a range of an open file, when they are one: the server then sends
  // [offset, offset + size()) of `fd` with sendfile (no copy through user space) instead of
  // calling Read. The descriptor stays the source's; it must stay open while the source lives.
  struct FileRange {
    int fd = -1;
    uint64_t offset = 0;
  };
  virtual std::optional<FileRange> file() const { return std::nullopt; }
};

struct Request {
  std::string method;     // as received, e.g. "GET"
  std::string target;     // raw request-target, e.g. "/v1/instances?state=running"
  std::string path;       // raw part of target before '?', NOT percent-decoded
  std::string raw_query;  // part after the first '?', without it, NOT percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;            // empty when body_stream is set
  BodyStream* body_stream = nullptr;  // set for streaming requests; valid during the handler
  std::string request_id;      // unique per request; echoed as x-request-id
  std::string remote_address;  // peer IP address without port, e.g. "127.0.0.1"
  int version = 11;            // 10 = HTTP/1.0, 11 = HTTP/1.1

  // Value of the first header named `lower_name` (which must be lower-case), or nullptr.
  const std::string* Header(std::string_view lower_name) const;

  // Query parameters in order, names and values percent-decoded (%XX only: '+' stays '+', as
  // RFC 3986 and AWS SigV4 read it; malformed escapes are kept literally). "a" and "a=" both
  // give ("a", "").
  std::vector<std::pair<std::string, std::string>> QueryParamList() const;
  // Same, as a map; for a repeated name the first occurrence wins.
  std::map<std::string, std::string> QueryParams() const;
};

struct Response {
  int status = 200;  // 200..599; anything else is answered as 500
  // Extra headers, written as given; entries with CR, LF or NUL are dropped. The server owns
  // content-length, transfer-encoding, connection, server and x-request-id: entries with those
  // names are ignored, except that a HEAD response may carry the content-length of the body it
  // would have had. A content-type entry replaces `content_type`.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // not sent for HEAD requests and 204/304 responses
  // When set, the body is read from here instead of `body` (Content-Length = its size()).
  std::shared_ptr<BodySource> body_source;
  std::string content_type = "application/json";  // empty = no Content-Type header
  // Metric label for strato_http_*; set by the router to the matched pattern,
  // e.g. "GET /v1/instances/{id}". Never put ids here (unbounded label cardinality).
  std::string route = "unmatched";
};

// Runs on a worker thread (never an I/O thread), so it may block. It may be called concurrently
// from several workers. An exception it throws is logged and answered with 500 InternalError.
using Handler = std::function<Response(Request&)>;

// The native API's error shape:
// {"error":{"code":"...","message":"..."},"request_id":"..."} with content type application/json.
Response MakeErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view request_id);

}  // namespace strato::http

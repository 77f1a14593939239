#pragma once
// The HTTP transport the API client talks through: an interface so tests can script replies.

#include <string>

#include "common/status.h"

namespace strato::cli {

struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string target;  // path plus an already-encoded query: "/v1/instances?state=running"
  std::string body;    // JSON text; empty for none
  // A file streamed as the body instead of `body` (uploads: never read whole into memory),
  // sent as application/octet-stream with the payload hash UNSIGNED-PAYLOAD.
  std::string body_file;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string request_id;  // x-request-id, when the server sent one
};

// Sends one request and returns whatever HTTP status came back (4xx/5xx are not failures
// here). Fails only with ConnectionFailure (exit code 5), naming the endpoint.
// Thread-safety: implementations are single-threaded; callers must not share one.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace strato::cli

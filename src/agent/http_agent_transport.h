#pragma once
// The controller ↔ agent message interface over HTTP/JSON.
//
// AgentHttpService (agent side) serves, for the agents it hosts:
//   POST /agent/v1/hosts/{host_id}/messages   body: an apply/sync message → 202
//   POST /agent/v1/hosts/{host_id}/calls      body: a call (console) → 200 + reply JSON
// and the controller side serves
//   POST /agent/v1/reports                    body: an agent report → 202
// Every request carries "Authorization: Bearer <token>", the shared secret kept in the
// data directory (0600). HttpAgentTransport and HttpReportSender are the matching clients
// (libcurl, one kept-alive connection each, serialized by a mutex).
// Thread-safety: all classes are thread-safe.

#include <curl/curl.h>

#include <functional>
#include <mutex>
#include <string>

#include "agent/agent_transport.h"
#include "http/http_types.h"

namespace strato {

// Blocking JSON POST with a bearer token over one reused connection.
class HttpPoster {
 public:
  HttpPoster(std::string base_url, std::string token);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;
  // Returns the body of a 2xx answer; other answers and transport failures are errors.
  Result<std::string> Post(const std::string& path, const std::string& body);

 private:
  const std::string base_url_;
  const std::string auth_header_;
  std::mutex mu_;
  CURL* curl_;  // GUARDED_BY(mu_)
};

class HttpAgentTransport final : public AgentTransport {
 public:
  HttpAgentTransport(std::string agent_base_url, std::string token)
      : poster_(std::move(agent_base_url), std::move(token)) {}
  Status Send(const std::string& host_id, std::string message_json) override;
  Result<std::string> Call(const std::string& host_id, const std::string& message_json) override;

 private:
  HttpPoster poster_;
};

// Routes each host to its transport: the local qemu host over HTTP, sim hosts in-process.
class RoutingAgentTransport final : public AgentTransport {
 public:
  RoutingAgentTransport(AgentTransport& local, AgentTransport& http,
                        std::function<bool(const std::string&)> is_http_host)
      : local_(local), http_(http), is_http_host_(std::move(is_http_host)) {}
  Status Send(const std::string& host_id, std::string message_json) override;
  Result<std::string> Call(const std::string& host_id, const std::string& message_json) override;

 private:
  AgentTransport& local_;
  AgentTransport& http_;
  std::function<bool(const std::string&)> is_http_host_;
};

class AgentHttpService {
 public:
  AgentHttpService(LocalAgentTransport& agents, std::string token,
                   std::function<void(const std::string&)> on_report)
      : agents_(agents), token_(std::move(token)), on_report_(std::move(on_report)) {}
  // Handles any path under /agent/.
  http::Response Handle(http::Request& request);

 private:
  LocalAgentTransport& agents_;
  const std::string token_;
  std::function<void(const std::string&)> on_report_;
};

// Loads or creates the shared agent token (64 hex characters, file mode 0600).
Result<std::string> LoadOrCreateAgentToken(const std::string& path);

}  // namespace strato

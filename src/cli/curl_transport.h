#pragma once
// Transport over one reused libcurl easy handle (HTTP keep-alive across calls), signing every
// request with curl's built-in AWS SigV4 (`aws:amz:<region>:strato`).
//
// Requests carry `x-amz-content-sha256` (the hex SHA-256 of the body) and, when there is a
// body, `Content-Type: application/json`. Loopback endpoints never go through a proxy.
// Thread-safety: one CurlTransport per thread.

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/client_config.h"
#include "cli/transport.h"

namespace strato::cli {

class CurlTransport final : public Transport {
 public:
  // Fails (ConnectionFailure) only if libcurl cannot be initialised.
  static Result<std::unique_ptr<CurlTransport>> Create(
      const ClientConfig& config, std::chrono::seconds request_timeout = std::chrono::seconds(120));
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  CurlTransport(CURL* curl, const ClientConfig& config, std::chrono::seconds request_timeout);
  void Configure(const HttpRequest& request, curl_slist* headers, HttpResponse& response);
  // Sends `file` (open for reading) as the body of a POST.
  void StreamFile(FILE* file);

  CURL* const curl_;  // owned; its connection cache is what gives keep-alive
  const ClientConfig config_;
  const std::string sigv4_param_;
  const std::chrono::seconds request_timeout_;
};

}  // namespace strato::cli

#pragma once
// BenchHttpClient: a minimal, fast HTTP/1.1 keep-alive client for the benchmarks.
//
// One blocking loopback TCP connection; requests are sent one at a time and each response is
// read fully (stratod always sends Content-Length). Requests to /v1/... are signed with SigV4
// (service "strato") when credentials are set. The connection is reopened transparently when
// the server has closed it between requests.
//
// Only 127.0.0.1 is ever contacted: the endpoint must be "http://127.0.0.1:PORT".
// Thread-safety: none — one client per thread. Errors: Unavailable (connect/IO failures,
// truncated responses), InvalidParameterValue (bad endpoint).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato::bench {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region = "strato-1";
};

struct HttpResult {
  int status = 0;
  std::string body;
};

class BenchHttpClient {
 public:
  // endpoint: "http://127.0.0.1:PORT".
  static Result<std::unique_ptr<BenchHttpClient>> Create(std::string_view endpoint,
                                                         Credentials credentials);
  ~BenchHttpClient();
  BenchHttpClient(const BenchHttpClient&) = delete;
  BenchHttpClient& operator=(const BenchHttpClient&) = delete;

  // target = path plus optional "?query", already percent-encoded. Signed when
  // credentials are set and `sign` is true.
  Result<HttpResult> Request(std::string_view method, std::string_view target,
                             std::string_view body = {}, bool sign = true);

  uint16_t port() const { return port_; }

 private:
  BenchHttpClient(uint16_t port, Credentials credentials);
  Status Connect();
  void Disconnect();
  Status SendAll(std::string_view bytes);
  Result<HttpResult> ReadResponse();
  Status Fill();  // appends at least one byte to buffer_, or fails

  const uint16_t port_;
  const Credentials credentials_;
  const std::string host_header_;
  int fd_ = -1;
  std::string buffer_;  // bytes received but not consumed yet
  std::string request_;  // reused to avoid an allocation per request
};

// Percent-encodes a query-string value (RFC 3986 unreserved characters kept).
std::string QueryEscape(std::string_view value);

}  // namespace strato::bench

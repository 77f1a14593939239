#pragma once
// RequestObserver: what HttpServer records about each answered request — the access-log line
// and the strato_http_* metrics. Kept out of the Beast translation units on purpose.
//
// Thread-safety: all members may be called concurrently. The MetricsRegistry must outlive it.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/metrics.h"

namespace strato::http {

// One answered request, as the access log and the metrics see it. Views must stay valid for the
// duration of the OnResponse call only.
struct Exchange {
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view method;
  std::string_view target;
  std::string_view route;
  int status = 0;
  uint64_t body_bytes = 0;                      // response body bytes (the content-length)
  std::chrono::steady_clock::time_point start;  // when the request header was parsed
};

class RequestObserver {
 public:
  explicit RequestObserver(MetricsRegistry& registry);

  // Logs one info line and updates the request counter and duration histogram.
  void OnResponse(const Exchange& exchange);

  void OnConnectionOpened() { open_connections_.Add(1); }
  void OnConnectionClosed() { open_connections_.Add(-1); }

  // Collapses untrusted method strings onto a fixed set so labels cannot grow without bound.
  static std::string_view MethodLabel(std::string_view method);

 private:
  struct Series {
    Counter* requests;
    Histogram* duration;
  };
  // Hashes string_view without building a std::string: lookups on the hot path do not allocate.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  Series SeriesFor(std::string_view route, std::string_view method, int status);

  MetricsRegistry& registry_;
  Gauge& open_connections_;
  std::mutex mu_;
  // key: route '\n' method '\n' status. Routes come from handlers, so the map stays small.
  std::unordered_map<std::string, Series, Hash, std::equal_to<>> series_;  // GUARDED_BY(mu_)
};

}  // namespace strato::http

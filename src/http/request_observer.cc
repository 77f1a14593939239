#include "http/request_observer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>

namespace strato::http {
namespace {

constexpr char kRequestsName[] = "strato_http_requests_total";
constexpr char kRequestsHelp[] = "HTTP requests answered, by route, method and status.";
constexpr char kDurationName[] = "strato_http_request_duration_seconds";
constexpr char kDurationHelp[] = "Time from request header parsed to response written, by route.";

}  // namespace

RequestObserver::RequestObserver(MetricsRegistry& registry)
    : registry_(registry),
      open_connections_(
          registry.GetGauge("strato_http_open_connections", "HTTP connections currently open.")) {}

std::string_view RequestObserver::MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",    "HEAD",    "POST", "PUT",
                                                             "DELETE", "OPTIONS", "PATCH"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

RequestObserver::Series RequestObserver::SeriesFor(std::string_view route, std::string_view method,
                                                   int status) {
  // A reused per-thread buffer: building the key costs no allocation after warm-up.
  thread_local std::string key;
  key.clear();
  fmt::format_to(std::back_inserter(key), "{}\n{}\n{}", route, method, status);
  std::lock_guard lock(mu_);
  auto it = series_.find(std::string_view(key));
  if (it == series_.end()) {
    Series series{
        &registry_.GetCounter(kRequestsName, kRequestsHelp,
                              {{"route", std::string(route)},
                               {"method", std::string(method)},
                               {"status", std::to_string(status)}}),
        &registry_.GetHistogram(kDurationName, kDurationHelp, {{"route", std::string(route)}})};
    it = series_.emplace(key, series).first;
  }
  return it->second;
}

void RequestObserver::OnResponse(const Exchange& x) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - x.start).count();
  Series series = SeriesFor(x.route, MethodLabel(x.method), x.status);
  series.requests->Inc();
  series.duration->Observe(seconds);
  // spdlog formats into a stack buffer and skips formatting entirely when info is disabled.
  spdlog::info(
      "http request_id={} remote={} method={} target={} status={} bytes={} duration_ms={:.3f}",
      x.request_id, x.remote_address, x.method, x.target, x.status, x.body_bytes, seconds * 1000);
}

}  // namespace strato::http

#include "http/request_observer.h"

#include <gtest/gtest.h>

namespace strato::http {
namespace {

TEST(RequestObserverTest, MethodLabelCollapsesUnknownMethods) {
  EXPECT_EQ(RequestObserver::MethodLabel("GET"), "GET");
  EXPECT_EQ(RequestObserver::MethodLabel("DELETE"), "DELETE");
  EXPECT_EQ(RequestObserver::MethodLabel("get"), "OTHER");
  EXPECT_EQ(RequestObserver::MethodLabel("BREW"), "OTHER");
}

TEST(RequestObserverTest, RecordsCounterAndHistogramPerSeries) {
  MetricsRegistry registry;
  RequestObserver observer(registry);
  Exchange exchange{.request_id = "r1",
                    .remote_address = "127.0.0.1",
                    .method = "FOO",
                    .target = "/x",
                    .route = "unmatched",
                    .status = 404,
                    .body_bytes = 10,
                    .start = std::chrono::steady_clock::now()};
  observer.OnResponse(exchange);
  observer.OnResponse(exchange);
  exchange.status = 200;
  observer.OnResponse(exchange);
  Labels labels = {{"route", "unmatched"}, {"method", "OTHER"}, {"status", "404"}};
  EXPECT_EQ(registry.GetCounter("strato_http_requests_total", "", labels).Value(), 2);
  labels["status"] = "200";
  EXPECT_EQ(registry.GetCounter("strato_http_requests_total", "", labels).Value(), 1);
  Histogram& duration =
      registry.GetHistogram("strato_http_request_duration_seconds", "", {{"route", "unmatched"}});
  uint64_t total = 0;
  for (size_t i = 0; i <= duration.upper_bounds().size(); ++i) total += duration.BucketCount(i);
  EXPECT_EQ(total, 3u);
}

TEST(RequestObserverTest, TracksOpenConnections) {
  MetricsRegistry registry;
  RequestObserver observer(registry);
  observer.OnConnectionOpened();
  observer.OnConnectionOpened();
  observer.OnConnectionClosed();
  EXPECT_EQ(registry.GetGauge("strato_http_open_connections", "").Value(), 1);
}

}  // namespace
}  // namespace strato::http

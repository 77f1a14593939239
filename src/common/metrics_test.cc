#include "common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace strato {
namespace {

TEST(MetricsTest, CounterRendersExactText) {
  MetricsRegistry registry;
  registry.GetCounter("strato_requests_total", "Requests served.", {{"method", "GET"}}).Inc();
  registry.GetCounter("strato_requests_total", "ignored", {{"method", "GET"}}).Inc(2);
  registry.GetCounter("strato_requests_total", "ignored", {{"method", "POST"}}).Inc(0.5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP strato_requests_total Requests served.\n"
            "# TYPE strato_requests_total counter\n"
            "strato_requests_total{method=\"GET\"} 3\n"
            "strato_requests_total{method=\"POST\"} 0.5\n");
}

TEST(MetricsTest, SameNameAndLabelsIsSameObject) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c", "h", {{"x", "1"}, {"y", "2"}});
  Counter& b = registry.GetCounter("c", "h", {{"y", "2"}, {"x", "1"}});
  Counter& other = registry.GetCounter("c", "h", {{"x", "1"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
}

TEST(MetricsTest, CounterIgnoresNegativeIncrement) {
  MetricsRegistry registry;
  Counter& c = registry.GetCounter("c", "h");
  c.Inc(5);
  c.Inc(-3);
  EXPECT_EQ(c.Value(), 5);
}

TEST(MetricsTest, HistogramRendersCumulativeBuckets) {
  MetricsRegistry registry;
  Histogram& h = registry.GetHistogram("strato_latency_seconds", "Latency.", {{"route", "GET /x"}},
                                       {0.1, 0.5, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.3);
  h.Observe(7);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP strato_latency_seconds Latency.\n"
            "# TYPE strato_latency_seconds histogram\n"
            "strato_latency_seconds_bucket{route=\"GET /x\",le=\"0.1\"} 2\n"
            "strato_latency_seconds_bucket{route=\"GET /x\",le=\"0.5\"} 3\n"
            "strato_latency_seconds_bucket{route=\"GET /x\",le=\"1\"} 3\n"
            "strato_latency_seconds_bucket{route=\"GET /x\",le=\"+Inf\"} 4\n"
            "strato_latency_seconds_sum{route=\"GET /x\"} 7.45\n"
            "strato_latency_seconds_count{route=\"GET /x\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabels) {
  MetricsRegistry registry;
  registry.GetHistogram("h", "H.", {}, {1}).Observe(2);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP h H.\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\nh_count 1\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.GetGauge("g", "line1\nback\\slash \"q\"", {{"v", "a\"b\\c\nd"}}).Set(-1.5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP g line1\\nback\\\\slash \"q\"\n"
            "# TYPE g gauge\n"
            "g{v=\"a\\\"b\\\\c\\nd\"} -1.5\n");
}

TEST(MetricsTest, FamiliesSortedByNameIncludingCallbacks) {
  MetricsRegistry registry;
  registry.GetGauge("zz", "Z.").Add(2);
  registry.GetCounter("aa", "A.").Inc();
  registry.SetGaugeCallback("mm_instances", "Instances by state.", [] {
    return std::vector<std::pair<Labels, double>>{{{{"state", "running"}}, 3},
                                                  {{{"state", "pending"}}, 1}};
  });
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP aa A.\n# TYPE aa counter\naa 1\n"
            "# HELP mm_instances Instances by state.\n# TYPE mm_instances gauge\n"
            "mm_instances{state=\"pending\"} 1\nmm_instances{state=\"running\"} 3\n"
            "# HELP zz Z.\n# TYPE zz gauge\nzz 2\n");
}

TEST(MetricsTest, GaugeCallbackReplacedAndRemoved) {
  MetricsRegistry registry;
  int calls = 0;
  registry.SetGaugeCallback("g", "G.", [&] {
    ++calls;
    return std::vector<std::pair<Labels, double>>{{{}, 1}};
  });
  registry.SetGaugeCallback("g", "G2.", [] {
    return std::vector<std::pair<Labels, double>>{{{}, 2}};
  });
  EXPECT_EQ(registry.RenderPrometheus(), "# HELP g G2.\n# TYPE g gauge\ng 2\n");
  EXPECT_EQ(calls, 0);
  registry.RemoveGaugeCallback("g");
  EXPECT_EQ(registry.RenderPrometheus(), "");
}

TEST(MetricsTest, CallbackMayRegisterMetricsWithoutDeadlock) {
  MetricsRegistry registry;
  registry.SetGaugeCallback("g", "G.", [&] {
    registry.GetCounter("scrapes_total", "Scrapes.").Inc();
    return std::vector<std::pair<Labels, double>>{};
  });
  registry.RenderPrometheus();
  EXPECT_EQ(registry.GetCounter("scrapes_total", "Scrapes.").Value(), 1);
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  Counter& c = registry.GetCounter("c", "h");
  Histogram& h = registry.GetHistogram("h", "h", {}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(i % 2 ? 0.25 : 1);
        registry.GetGauge("g", "h", {{"t", "x"}}).Add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 80000);
  EXPECT_EQ(h.BucketCount(0), 40000u);
  EXPECT_EQ(h.BucketCount(1), 40000u);
  EXPECT_EQ(h.Sum(), 50000);
  EXPECT_EQ(registry.GetGauge("g", "h", {{"t", "x"}}).Value(), 80000);
}

TEST(MetricsDeathTest, TypeConflictAborts) {
  MetricsRegistry registry;
  registry.GetCounter("x", "h");
  EXPECT_DEATH(registry.GetGauge("x", "h"), "registered as counter");
}

TEST(MetricsDeathTest, InvalidNameAborts) {
  MetricsRegistry registry;
  EXPECT_DEATH(registry.GetCounter("bad-name", "h"), "invalid metric name");
  EXPECT_DEATH(registry.GetCounter("ok", "h", {{"bad label", "v"}}), "invalid label name");
}

}  // namespace
}  // namespace strato

#include "bench/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace strato::bench {
namespace {

constexpr char kText[] =
    "# HELP strato_instances Instances by state.\n"
    "# TYPE strato_instances gauge\n"
    "strato_instances{state=\"pending\"} 12\n"
    "strato_instances{state=\"running\"} 1000\n"
    "strato_store_transactions_total 5e+03\n"
    "# TYPE h histogram\n"
    "h_bucket{route=\"/a\",le=\"0.001\"} 50\n"
    "h_bucket{route=\"/a\",le=\"0.01\"} 90\n"
    "h_bucket{route=\"/a\",le=\"0.1\"} 100\n"
    "h_bucket{route=\"/a\",le=\"+Inf\"} 100\n"
    "h_sum{route=\"/a\"} 0.5\n"
    "h_count{route=\"/a\"} 100\n"
    "h_bucket{route=\"/b\",le=\"0.001\"} 0\n"
    "h_bucket{route=\"/b\",le=\"+Inf\"} 4\n"
    "h_sum{route=\"/b\"} 8\n"
    "h_count{route=\"/b\"} 4\n";

TEST(PrometheusTextTest, ReadsSamplesByExactLabels) {
  PrometheusText t(kText);
  EXPECT_EQ(t.Value("strato_instances", {{"state", "running"}}), 1000);
  EXPECT_EQ(t.Value("strato_instances", {{"state", "pending"}}), 12);
  EXPECT_FALSE(t.Value("strato_instances").has_value());
  EXPECT_EQ(t.Value("strato_store_transactions_total"), 5000);
  EXPECT_EQ(t.Samples("strato_instances").size(), 2u);
}

TEST(PrometheusTextTest, HistogramQuantilesInterpolateWithinBuckets) {
  auto h = PrometheusText(kText).Histogram("h", {{"route", "/a"}});
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->count, 100);
  EXPECT_DOUBLE_EQ(h->Mean(), 0.005);
  EXPECT_DOUBLE_EQ(h->Quantile(0.5), 0.001);                  // exactly the first bound
  EXPECT_NEAR(h->Quantile(0.7), 0.001 + 0.009 * 0.5, 1e-12);  // halfway through bucket 2
  EXPECT_NEAR(h->Quantile(0.99), 0.01 + 0.09 * 0.9, 1e-12);
}

TEST(PrometheusTextTest, InfBucketAnswersHighestFiniteBound) {
  auto h = PrometheusText(kText).Histogram("h", {{"route", "/b"}});
  ASSERT_TRUE(h.has_value());
  EXPECT_DOUBLE_EQ(h->Quantile(0.99), 0.001);
  EXPECT_FALSE(PrometheusText(kText).Histogram("h", {{"route", "/c"}}).has_value());
}

TEST(PrometheusTextTest, MinusGivesTheIntervalBetweenTwoScrapes) {
  auto later = PrometheusText(kText).Histogram("h", {{"route", "/a"}});
  HistogramSnapshot earlier;
  earlier.buckets = {{0.001, 50}, {0.01, 50}, {0.1, 50}, {INFINITY, 50}};
  earlier.sum = 0.01;
  earlier.count = 50;
  HistogramSnapshot d = later->Minus(earlier);
  EXPECT_EQ(d.count, 50);
  EXPECT_DOUBLE_EQ(d.sum, 0.49);
  EXPECT_NEAR(d.Quantile(0.5), 0.01 - 0.009 * (15.0 / 40.0), 1e-12);
}

}  // namespace
}  // namespace strato::bench

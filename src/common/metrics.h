#pragma once
// MetricsRegistry: process metrics rendered in the Prometheus text exposition format 0.0.4.
//
// Usage: obtain a metric once (GetCounter/GetGauge/GetHistogram take the registry lock and may
// allocate), keep the reference, then update it on hot paths (Inc/Set/Add/Observe are lock-free
// atomics). A metric is identified by its family name plus its label set; asking again for the
// same name and labels returns the same object.
//
// Ownership: the registry owns every metric; references stay valid for the registry's lifetime.
// Thread-safety: every member function of every class here is safe to call concurrently.
// Programming errors (one name used for two metric types, an invalid metric or label name) abort
// with a message: they are bugs, never input.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strato {

// Label name -> value. Ordered, so rendering is deterministic.
using Labels = std::map<std::string, std::string>;

// A monotonically increasing value (requests served, bytes sent).
class Counter {
 public:
  // `v` must be >= 0; negative increments are ignored (a counter never goes down).
  void Inc(double v = 1);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (open connections, queue depth).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets with cumulative upper bounds (Prometheus "le").
class Histogram {
 public:
  // `upper_bounds` must be sorted ascending; +Inf is implicit and must not be listed.
  explicit Histogram(std::vector<double> upper_bounds);

  // Typically a duration in seconds.
  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Non-cumulative count of bucket `i`; i == upper_bounds().size() is the +Inf bucket.
  uint64_t BucketCount(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // upper_bounds_.size() + 1 entries
  std::atomic<double> sum_{0};
};

// 0.0005 s ... 10 s: request latencies from a cache hit to a slow disk operation.
std::vector<double> DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  // Computes a gauge family's samples at scrape time.
  using GaugeCallback = std::function<std::vector<std::pair<Labels, double>>()>;

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // `help` is taken from the first call for a name. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*,
  // label names [a-zA-Z_][a-zA-Z0-9_]*.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // The buckets of the first call for a name apply to every label set of that family.
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                          const std::vector<double>& upper_bounds = DefaultLatencyBuckets());

  // Registers (or replaces) a gauge family whose samples `callback` computes at each scrape.
  // The callback runs on the scraping thread and may call Get*() but must not call
  // SetGaugeCallback/RemoveGaugeCallback/RenderPrometheus (deadlock).
  void SetGaugeCallback(std::string_view name, std::string_view help, GaugeCallback callback);
  // After it returns the callback is not running and will not run again, so its owner may go.
  void RemoveGaugeCallback(std::string_view name);

  // All families sorted by name, label sets sorted within a family.
  std::string RenderPrometheus() const;

 private:
  struct Family;
  struct CallbackFamily;

  Family& FamilyFor(std::string_view name, std::string_view help, int type,
                    const std::vector<double>* upper_bounds);  // requires mu_ held

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // GUARDED_BY(mu_)
  // Separate from mu_ so callbacks can call Get*() while a scrape holds callbacks_mu_.
  mutable std::mutex callbacks_mu_;
  std::map<std::string, CallbackFamily, std::less<>> callbacks_;  // GUARDED_BY(callbacks_mu_)
};

}  // namespace strato

#pragma once
// PrometheusText: reads samples back out of stratod's GET /metrics (text format 0.0.4), and
// derives histogram figures the way Prometheus' histogram_quantile() does.
//
// Only what the benchmarks need: sample lines "name{l1="v1",...} value"; comments and
// timestamps are ignored. Label values with escaped quotes are not expected (stratod's
// labels are routes, states and status codes). Thread-safety: value type.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strato::bench {

using LabelSet = std::map<std::string, std::string>;

struct HistogramSnapshot {
  std::vector<std::pair<double, double>> buckets;  // (upper bound "le", cumulative count)
  double sum = 0;
  double count = 0;

  double Mean() const { return count > 0 ? sum / count : 0; }
  // Linear interpolation inside the bucket that holds the q-quantile (q in [0,1]); the
  // +Inf bucket answers with the highest finite bound. 0 when empty.
  double Quantile(double q) const;
  // The difference of two snapshots of one histogram (this - earlier).
  HistogramSnapshot Minus(const HistogramSnapshot& earlier) const;
};

class PrometheusText {
 public:
  explicit PrometheusText(std::string_view text);

  // The sample with exactly these labels.
  std::optional<double> Value(std::string_view name, const LabelSet& labels = {}) const;
  // Every label set of a sample family, with its value.
  std::vector<std::pair<LabelSet, double>> Samples(std::string_view name) const;
  // Histogram `name` with exactly `labels` (besides "le"); nullopt when absent.
  std::optional<HistogramSnapshot> Histogram(std::string_view name,
                                             const LabelSet& labels = {}) const;

 private:
  struct Sample {
    std::string name;
    LabelSet labels;
    double value;
  };
  std::vector<Sample> samples_;
};

}  // namespace strato::bench

#include "bench/prometheus_text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace strato::bench {
namespace {

// "a=\"x\",b=\"y\"" -> {a:x, b:y}
LabelSet ParseLabels(std::string_view s) {
  LabelSet out;
  while (!s.empty()) {
    size_t eq = s.find('=');
    if (eq == std::string_view::npos || eq + 1 >= s.size() || s[eq + 1] != '"') break;
    size_t close = s.find('"', eq + 2);
    if (close == std::string_view::npos) break;
    out.emplace(std::string(s.substr(0, eq)), std::string(s.substr(eq + 2, close - eq - 2)));
    s.remove_prefix(close + 1);
    if (!s.empty() && s.front() == ',') s.remove_prefix(1);
  }
  return out;
}

double ParseValue(std::string_view v) {
  if (v == "+Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  return std::strtod(std::string(v).c_str(), nullptr);
}

}  // namespace

PrometheusText::PrometheusText(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    Sample s;
    size_t brace = line.find('{');
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view rest;
    if (brace != std::string_view::npos && brace < space) {
      size_t close = line.find('}', brace);
      if (close == std::string_view::npos) continue;
      s.name = line.substr(0, brace);
      s.labels = ParseLabels(line.substr(brace + 1, close - brace - 1));
      rest = line.substr(close + 1);
    } else {
      s.name = line.substr(0, space);
      rest = line.substr(space);
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    s.value = ParseValue(rest.substr(0, rest.find(' ')));
    samples_.push_back(std::move(s));
  }
}

std::optional<double> PrometheusText::Value(std::string_view name, const LabelSet& labels) const {
  for (const Sample& s : samples_) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

std::vector<std::pair<LabelSet, double>> PrometheusText::Samples(std::string_view name) const {
  std::vector<std::pair<LabelSet, double>> out;
  for (const Sample& s : samples_) {
    if (s.name == name) out.emplace_back(s.labels, s.value);
  }
  return out;
}

std::optional<HistogramSnapshot> PrometheusText::Histogram(std::string_view name,
                                                           const LabelSet& labels) const {
  const std::string bucket = std::string(name) + "_bucket";
  HistogramSnapshot h;
  for (const Sample& s : samples_) {
    if (s.name != bucket) continue;
    LabelSet rest = s.labels;
    auto le = rest.find("le");
    if (le == rest.end()) continue;
    double bound = ParseValue(le->second);
    rest.erase(le);
    if (rest == labels) h.buckets.emplace_back(bound, s.value);
  }
  if (h.buckets.empty()) return std::nullopt;
  std::sort(h.buckets.begin(), h.buckets.end());
  h.sum = Value(std::string(name) + "_sum", labels).value_or(0);
  h.count = Value(std::string(name) + "_count", labels).value_or(h.buckets.back().second);
  return h;
}

double HistogramSnapshot::Quantile(double q) const {
  if (buckets.empty() || count <= 0) return 0;
  const double rank = q * count;
  double prev_bound = 0, prev_count = 0;
  for (const auto& [bound, cumulative] : buckets) {
    if (cumulative >= rank && cumulative > prev_count) {
      if (std::isinf(bound)) return prev_bound;
      return prev_bound + (bound - prev_bound) * (rank - prev_count) / (cumulative - prev_count);
    }
    if (!std::isinf(bound)) prev_bound = bound;
    prev_count = cumulative;
  }
  return prev_bound;
}

HistogramSnapshot HistogramSnapshot::Minus(const HistogramSnapshot& earlier) const {
  HistogramSnapshot d = *this;
  for (auto& [bound, cumulative] : d.buckets) {
    for (const auto& [b, c] : earlier.buckets) {
      if (b == bound) cumulative -= c;
    }
  }
  d.sum -= earlier.sum;
  d.count -= earlier.count;
  return d;
}

}  // namespace strato::bench

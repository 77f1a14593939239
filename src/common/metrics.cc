#include "common/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace strato {
namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2 };
constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram"};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "MetricsRegistry: %s\n", message.c_str());
  std::abort();
}

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void CheckLabels(const Labels& labels) {
  for (const auto& [name, value] : labels) {
    if (!ValidName(name, false) || name.starts_with("__")) Die("invalid label name '" + name + "'");
  }
}

// Prometheus floats: shortest round-trip form, with the spellings Go's ParseFloat accepts.
void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

void AppendEscaped(std::string& out, std::string_view s, bool escape_quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",le="0.5"}`; `extra` is an already formatted trailing label such as le.
void AppendLabels(std::string& out, const Labels& labels, std::string_view extra = {}) {
  if (labels.empty() && extra.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    AppendEscaped(out, value, true);
    out += '"';
  }
  if (!extra.empty()) {
    if (!first) out += ',';
    out += extra;
  }
  out += '}';
}

void AppendHeader(std::string& out, std::string_view name, std::string_view help, int type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += kTypeNames[type];
  out += '\n';
}

void AppendSample(std::string& out, std::string_view name, const Labels& labels, double v,
                  std::string_view extra = {}) {
  out += name;
  AppendLabels(out, labels, extra);
  out += ' ';
  AppendValue(out, v);
  out += '\n';
}

void AppendHistogram(std::string& out, const std::string& name, const Labels& labels,
                     const Histogram& h) {
  const std::string bucket_name = name + "_bucket";
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= h.upper_bounds().size(); ++i) {
    cumulative += h.BucketCount(i);
    le = "le=\"";
    bool inf = i == h.upper_bounds().size();
    AppendValue(le, inf ? INFINITY : h.upper_bounds()[i]);
    le += '"';
    AppendSample(out, bucket_name, labels, static_cast<double>(cumulative), le);
  }
  AppendSample(out, name + "_sum", labels, h.Sum());
  // _count is derived from the buckets so it always equals the +Inf bucket, even mid-update.
  AppendSample(out, name + "_count", labels, static_cast<double>(cumulative));
}

void AtomicAdd(std::atomic<double>& a, double v) { a.fetch_add(v, std::memory_order_relaxed); }

}  // namespace

void Counter::Inc(double v) {
  if (v > 0) AtomicAdd(value_, v);
}

void Gauge::Add(double v) { AtomicAdd(value_, v); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  if (!std::is_sorted(upper_bounds_.begin(), upper_bounds_.end()) ||
      std::adjacent_find(upper_bounds_.begin(), upper_bounds_.end()) != upper_bounds_.end()) {
    Die("histogram buckets must be strictly ascending");
  }
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  // "le" is inclusive: a value equal to a bound belongs to that bound's bucket.
  size_t i =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

struct MetricsRegistry::Family {
  std::string help;
  int type;
  std::vector<double> upper_bounds;  // histograms only
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
};

struct MetricsRegistry::CallbackFamily {
  std::string help;
  GaugeCallback callback;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    int type,
                                                    const std::vector<double>* upper_bounds) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!ValidName(name, true)) Die("invalid metric name '" + std::string(name) + "'");
    auto family = std::make_unique<Family>();
    family->help = std::string(help);
    family->type = type;
    if (upper_bounds != nullptr) family->upper_bounds = *upper_bounds;
    it = families_.emplace(std::string(name), std::move(family)).first;
  } else if (it->second->type != type) {
    Die("metric '" + std::string(name) + "' registered as " + kTypeNames[it->second->type] +
        " and requested as " + kTypeNames[type]);
  }
  return *it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, kCounter, nullptr).counters[labels];
  if (!slot) {
    CheckLabels(labels);
    slot = std::make_unique<Counter>();
  }
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, kGauge, nullptr).gauges[labels];
  if (!slot) {
    CheckLabels(labels);
    slot = std::make_unique<Gauge>();
  }
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const Labels& labels,
                                         const std::vector<double>& upper_bounds) {
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(name, help, kHistogram, &upper_bounds);
  auto& slot = family.histograms[labels];
  if (!slot) {
    CheckLabels(labels);
    if (labels.count("le")) Die("histogram label 'le' is reserved");
    slot = std::make_unique<Histogram>(family.upper_bounds);
  }
  return *slot;
}

void MetricsRegistry::SetGaugeCallback(std::string_view name, std::string_view help,
                                       GaugeCallback callback) {
  if (!ValidName(name, true)) Die("invalid metric name '" + std::string(name) + "'");
  std::lock_guard lock(callbacks_mu_);
  auto& family = callbacks_[std::string(name)];
  family.help = std::string(help);
  family.callback = std::move(callback);
}

void MetricsRegistry::RemoveGaugeCallback(std::string_view name) {
  std::lock_guard lock(callbacks_mu_);
  auto it = callbacks_.find(name);
  if (it != callbacks_.end()) callbacks_.erase(it);
}

std::string MetricsRegistry::RenderPrometheus() const {
  // Render each family into its own text, then emit all of them in name order.
  std::map<std::string, std::string, std::less<>> texts;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) {
      std::string& out = texts[name];
      AppendHeader(out, name, family->help, family->type);
      for (const auto& [labels, c] : family->counters) AppendSample(out, name, labels, c->Value());
      for (const auto& [labels, g] : family->gauges) AppendSample(out, name, labels, g->Value());
      for (const auto& [labels, h] : family->histograms) AppendHistogram(out, name, labels, *h);
    }
  }
  {
    std::lock_guard lock(callbacks_mu_);
    for (const auto& [name, family] : callbacks_) {
      if (texts.count(name)) continue;  // a registered metric wins over a same-named callback
      auto samples = family.callback();
      std::sort(samples.begin(), samples.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string& out = texts[name];
      AppendHeader(out, name, family.help, kGauge);
      for (const auto& [labels, v] : samples) AppendSample(out, name, labels, v);
    }
  }
  std::string result;
  for (const auto& [name, text] : texts) result += text;
  return result;
}

}  // namespace strato

#include "bench/launch_load.h"

#include <nlohmann/json.hpp>

#include "bench/prometheus_text.h"

namespace strato::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct ClientResult {
  int64_t acked = 0, ok = 0, failed = 0;
  std::string first_error;
  std::vector<double> latencies;
  Clock::time_point last_answer{};
};

// Request r asks for min(K, remaining) instances, so exactly N are requested in total.
void RunClient(const LaunchPlan& plan, std::atomic<int64_t>& next_request,
               std::atomic<int64_t>& acked_total, ClientResult& out) {
  auto client = BenchHttpClient::Create(plan.endpoint, plan.credentials);
  if (!client.ok()) {
    out.first_error = client.status().ToString();
    out.failed = 1;
    return;
  }
  const int64_t requests = (plan.instances + plan.per_request - 1) / plan.per_request;
  std::string body;
  for (;;) {
    const int64_t r = next_request.fetch_add(1);
    if (r >= requests) return;
    const int64_t count = std::min<int64_t>(plan.per_request, plan.instances - r * plan.per_request);
    body = nlohmann::json{{"image_id", plan.image_id},
                          {"instance_type", plan.instance_type},
                          {"count", count}}
               .dump();
    const auto start = Clock::now();
    auto res = (*client)->Request("POST", "/v1/instances", body);
    out.last_answer = Clock::now();
    out.latencies.push_back(std::chrono::duration<double>(out.last_answer - start).count());
    if (res.ok() && res->status == 202) {
      ++out.ok;
      out.acked += count;
      acked_total.fetch_add(count, std::memory_order_relaxed);
    } else {
      ++out.failed;
      if (out.first_error.empty()) {
        out.first_error = res.ok() ? "HTTP " + std::to_string(res->status) + ": " + res->body
                                   : res.status().ToString();
      }
    }
  }
}

}  // namespace

LaunchOutcome RunLaunches(const LaunchPlan& plan,
                          const std::function<void(int64_t acked)>& on_tick) {
  std::atomic<int64_t> next_request{0}, acked_total{0};
  std::atomic<int> finished{0};
  std::vector<ClientResult> results(static_cast<size_t>(plan.clients));
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&, r = &result] {
      RunClient(plan, next_request, acked_total, *r);
      finished.fetch_add(1);
    });
  }
  auto last_tick = start;
  while (finished.load() < plan.clients) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (Clock::now() - last_tick >= std::chrono::seconds(1)) {
      last_tick = Clock::now();
      on_tick(acked_total.load());
    }
  }
  for (auto& t : threads) t.join();

  LaunchOutcome out;
  Clock::time_point end = start;
  for (auto& r : results) {
    out.acked_instances += r.acked;
    out.requests_ok += r.ok;
    out.requests_failed += r.failed;
    if (out.first_error.empty()) out.first_error = r.first_error;
    out.latencies_s.insert(out.latencies_s.end(), r.latencies.begin(), r.latencies.end());
    end = std::max(end, r.last_answer);
  }
  out.seconds = std::chrono::duration<double>(end - start).count();
  return out;
}

RunningWatcher::RunningWatcher(std::string endpoint, std::chrono::milliseconds interval)
    : endpoint_(std::move(endpoint)), interval_(interval) {}

RunningWatcher::~RunningWatcher() { Stop(); }

void RunningWatcher::Start(int64_t running_target) {
  target_ = running_target;
  start_ = Clock::now();
  thread_ = std::thread([this] { Loop(); });
}

void RunningWatcher::Loop() {
  auto client = BenchHttpClient::Create(endpoint_, {});
  if (!client.ok()) return;
  std::unique_lock lock(mu_);
  while (!stopping_ && !reached_s_) {
    lock.unlock();
    const auto t0 = Clock::now();
    auto res = (*client)->Request("GET", "/metrics", {}, /*sign=*/false);
    const auto t1 = Clock::now();
    if (res.ok() && res->status == 200) {
      PrometheusText text(res->body);
      running_ = static_cast<int64_t>(text.Value("strato_instances", {{"state", "running"}}).value_or(0));
      pending_ = static_cast<int64_t>(text.Value("strato_instances", {{"state", "pending"}}).value_or(0));
      ++scrapes_;
    }
    lock.lock();
    scrape_max_s_ = std::max(scrape_max_s_, std::chrono::duration<double>(t1 - t0).count());
    if (running_.load() >= target_) {
      reached_s_ = std::chrono::duration<double>(t1 - start_).count();
      cv_.notify_all();
      break;
    }
    cv_.wait_until(lock, t0 + interval_, [&] { return stopping_; });
  }
}

std::optional<double> RunningWatcher::Wait(std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return reached_s_.has_value() || stopping_; });
  return reached_s_;
}

void RunningWatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

double RunningWatcher::scrape_seconds_max() const {
  std::lock_guard lock(mu_);
  return scrape_max_s_;
}

}  // namespace strato::bench

#pragma once
// The load of the launch benchmark: C concurrent keep-alive clients POSTing /v1/instances
// until N instances are acknowledged, and a watcher that scrapes GET /metrics to see when
// they are all running.
//
// Thread-safety: RunLaunches blocks its caller and runs its own client threads.
// RunningWatcher's methods may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_http_client.h"

namespace strato::bench {

struct LaunchPlan {
  std::string endpoint;
  Credentials credentials;
  std::string image_id;
  std::string instance_type = "t3.micro";
  int64_t instances = 100000;
  int per_request = 1;  // K: "count" of each POST
  int clients = 32;
};

struct LaunchOutcome {
  int64_t acked_instances = 0;  // in 202 answers
  int64_t requests_ok = 0;
  int64_t requests_failed = 0;  // any non-202 or transport failure
  std::string first_error;
  std::vector<double> latencies_s;  // one per request, successful or not
  double seconds = 0;               // first request sent -> last answer received
};

// Sustained launches. `on_tick` is called about once a second from the calling thread
// with the instances acknowledged so far (for progress output).
LaunchOutcome RunLaunches(const LaunchPlan& plan,
                          const std::function<void(int64_t acked)>& on_tick);

// Scrapes strato_instances{state=...} every `interval` on its own connection.
class RunningWatcher {
 public:
  RunningWatcher(std::string endpoint, std::chrono::milliseconds interval);
  ~RunningWatcher();

  // Starts watching: the clock for Wait()'s answer starts now, and the target is
  // `running_target` instances in state running.
  void Start(int64_t running_target);
  // Blocks until the target is reached (-> seconds since Start) or `timeout` passes.
  std::optional<double> Wait(std::chrono::seconds timeout);
  void Stop();

  int64_t running() const { return running_.load(); }
  int64_t pending() const { return pending_.load(); }
  int64_t scrapes() const { return scrapes_.load(); }
  double scrape_seconds_max() const;  // slowest /metrics answer seen

 private:
  void Loop();

  const std::string endpoint_;
  const std::chrono::milliseconds interval_;
  int64_t target_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> running_{0}, pending_{0}, scrapes_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;              // GUARDED_BY(mu_)
  std::optional<double> reached_s_;    // GUARDED_BY(mu_)
  double scrape_max_s_ = 0;            // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace strato::bench

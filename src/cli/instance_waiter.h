#pragma once
// --wait: polls instances until they reach a target state, with an optional one-line progress
// indicator (spinner + current states) for a terminal.

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "cli/api_client.h"

namespace strato::cli {

// Time source for waits, injectable so tests need not sleep.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual void Sleep(std::chrono::milliseconds duration) = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() override;
  void Sleep(std::chrono::milliseconds duration) override;
};

struct WaitSettings {
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  bool show_progress = false;  // callers set it only when stderr is a TTY
};

// Thread-safety: single-threaded. api, clock and progress are not owned and must outlive it.
class InstanceWaiter {
 public:
  InstanceWaiter(ApiClient& api, Clock& clock, WaitSettings settings, std::ostream& progress);

  // Polls GET /v1/instances/{id} for each id still short of `target` until all reach it, and
  // returns their last-seen JSON in the order of `ids`. When the target is "terminated", a
  // 404 counts as reached (the record was purged). Errors:
  //   InstanceTerminated (409) when an instance goes shutting-down/terminated while waiting for
  //     any other state (fail fast, with the server's state_reason);
  //   WaitTimeout after settings.timeout, naming the stragglers and their states;
  //   any API or connection error from polling, as is.
  Result<std::vector<Json>> WaitFor(const std::vector<std::string>& ids, const std::string& target);

 private:
  void ShowProgress(const std::vector<Json>& latest, const std::vector<bool>& done,
                    const std::string& target, std::chrono::steady_clock::duration elapsed);
  void ClearProgress();
  Status TimedOut(const std::vector<std::string>& ids, const std::vector<Json>& latest,
                  const std::vector<bool>& done, const std::string& target) const;

  ApiClient& api_;
  Clock& clock_;
  const WaitSettings settings_;
  std::ostream& progress_;
  size_t spinner_ = 0;
  bool progress_shown_ = false;
};

}  // namespace strato::cli

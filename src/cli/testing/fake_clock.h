#pragma once
// Test-only: a Clock whose Sleep() advances time instantly.

#include "cli/instance_waiter.h"

namespace strato::cli::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  void Sleep(std::chrono::milliseconds d) override {
    now_ += d;
    ++sleeps_;
  }
  int sleeps() const { return sleeps_; }

 private:
  std::chrono::steady_clock::time_point now_{};
  int sleeps_ = 0;
};

}  // namespace strato::cli::testing

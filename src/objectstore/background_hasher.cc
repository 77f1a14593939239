#include "objectstore/background_hasher.h"

#include <utility>

namespace strato {

BackgroundHasher::BackgroundHasher(Hasher hasher)
    : hasher_(std::move(hasher)), thread_([this] { Run(); }) {}

BackgroundHasher::~BackgroundHasher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BackgroundHasher::WaitIdle(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [&] { return !busy_; });
}

void BackgroundHasher::Submit(std::string_view block) {
  {
    std::unique_lock lock(mu_);
    WaitIdle(lock);
    pending_ = block;
    busy_ = true;
  }
  changed_.notify_all();
}

std::string BackgroundHasher::FinishHex() {
  std::unique_lock lock(mu_);
  WaitIdle(lock);
  return hasher_.FinishHex();
}

void BackgroundHasher::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return busy_ || stop_; });
    // A block submitted before the destructor ran is still hashed: its caller may be about
    // to wait for it.
    if (!busy_) return;
    std::string_view block = pending_;
    lock.unlock();
    hasher_.Update(block);
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

}  // namespace strato

#pragma once
// BackgroundHasher: feeds blocks to a Hasher on a thread of its own, so that hashing one block
// overlaps what the caller does next (reading and writing the following block).
// ObjectFiles::Write uses it for the MD5 (the ETag) of large uploads: MD5 runs at about
// 750 MiB/s on one core, the slowest step of a PutObject, and would otherwise add its time to
// the body's reading, SHA-256 check and writing instead of running beside them.
//
// Contract: Submit(block) waits until the previous block is hashed, then starts on `block` and
// returns at once; the caller keeps `block`'s bytes unchanged until the next Submit or
// FinishHex returns (so it alternates two buffers). FinishHex is called once, last.
// Thread-safety: one caller thread; the hashing thread is internal and joined by the
// destructor (after the block in progress).

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/digest.h"

namespace strato {

class BackgroundHasher {
 public:
  explicit BackgroundHasher(Hasher hasher);
  ~BackgroundHasher();
  BackgroundHasher(const BackgroundHasher&) = delete;
  BackgroundHasher& operator=(const BackgroundHasher&) = delete;

  void Submit(std::string_view block);
  std::string FinishHex();

 private:
  void Run();
  void WaitIdle(std::unique_lock<std::mutex>& lock);

  Hasher hasher_;  // used by the hashing thread while a block is pending, else by the caller
  std::mutex mu_;
  std::condition_variable changed_;
  std::string_view pending_;  // guarded by mu_
  bool busy_ = false;         // guarded by mu_; pending_ is being (or about to be) hashed
  bool stop_ = false;         // guarded by mu_
  std::thread thread_;        // last: starts once the members above exist
};

}  // namespace strato

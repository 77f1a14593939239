#include "http/streaming_body.h"

#include <algorithm>
#include <cstring>

namespace strato::http::internal {
namespace {

constexpr size_t kCoalesceBytes = 256 << 10;

}  // namespace

StreamingBody::StreamingBody(std::optional<uint64_t> content_length, size_t max_chunks,
                             std::function<void()> on_space)
    : content_length_(content_length), max_chunks_(max_chunks), on_space_(std::move(on_space)) {}

Result<size_t> StreamingBody::Read(char* out, size_t max) {
  if (max == 0) return size_t{0};
  bool freed = false;
  size_t n = 0;
  {
    std::unique_lock lock(mu_);
    arrived_.wait(lock, [&] { return !chunks_.empty() || finished_ || error_; });
    if (chunks_.empty()) {
      if (error_) return *error_;
      return size_t{0};
    }
    const std::string& front = chunks_.front();
    n = std::min(max, front.size() - offset_);
    std::memcpy(out, front.data() + offset_, n);
    offset_ += n;
    if (offset_ == front.size()) {
      chunks_.pop_front();
      offset_ = 0;
      freed = true;
    }
  }
  if (freed) on_space_();
  return n;
}

bool StreamingBody::HasRoom() const {
  std::lock_guard lock(mu_);
  return chunks_.size() < max_chunks_;
}

void StreamingBody::Push(std::string chunk) {
  if (chunk.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (abandoned_) return;
    // Clients send bodies in small writes (8 KiB from Python's http.client), so one socket
    // read is often a few KiB. Queued as chunks of their own, the few slots fill at once and
    // producer and consumer hand over every few KiB (a thread switch each, ~22 MiB/s for a
    // 1 GiB PutObject); appended to a small last chunk, a slot holds up to kCoalesceBytes.
    if (!chunks_.empty() && chunks_.back().size() < kCoalesceBytes) {
      chunks_.back().append(chunk);
    } else {
      chunks_.push_back(std::move(chunk));
    }
  }
  arrived_.notify_one();
}

void StreamingBody::Finish() {
  {
    std::lock_guard lock(mu_);
    finished_ = true;
  }
  arrived_.notify_one();
}

void StreamingBody::Fail(Status error) {
  {
    std::lock_guard lock(mu_);
    if (!error_) error_ = std::move(error);
  }
  arrived_.notify_one();
}

void StreamingBody::Abandon() {
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    chunks_.clear();
    offset_ = 0;
  }
  on_space_();
}

bool StreamingBody::abandoned() const {
  std::lock_guard lock(mu_);
  return abandoned_;
}

}  // namespace strato::http::internal

#include "http/streaming_body.h"

#include <algorithm>
#include <cstring>

namespace strato::http::internal {

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
    BodyChunk& front = chunks_.front();
    n = std::min(max, front.size - offset_);
    std::memcpy(out, front.data.get() + offset_, n);
    offset_ += n;
    if (offset_ == front.size) {
      if (spare_.size() < max_chunks_) spare_.push_back(std::move(front));
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

BodyChunk StreamingBody::TakeBuffer(size_t capacity) {
  {
    std::lock_guard lock(mu_);
    while (!spare_.empty()) {
      BodyChunk chunk = std::move(spare_.back());
      spare_.pop_back();
      if (chunk.capacity >= capacity) {
        chunk.size = 0;
        return chunk;
      }
    }
  }
  // Default-initialised: the socket read overwrites it, zeroing it first would cost a pass.
  return BodyChunk{std::unique_ptr<char[]>(new char[capacity]), capacity, 0};
}

void StreamingBody::Push(BodyChunk chunk) {
  {
    std::lock_guard lock(mu_);
    if (abandoned_) return;
    if (chunk.size == 0) {
      if (spare_.size() < max_chunks_) spare_.push_back(std::move(chunk));
      return;
    }
    chunks_.push_back(std::move(chunk));
  }
  arrived_.notify_one();
}

void StreamingBody::PushCopy(const char* bytes, size_t n, size_t chunk_capacity) {
  if (n == 0) return;
  {
    std::lock_guard lock(mu_);
    if (abandoned_) return;
    // The front chunk may be half read by the consumer; appending to it is still safe, as
    // the consumer re-reads `size` under the lock.
    if (!chunks_.empty() && chunks_.back().capacity - chunks_.back().size >= n) {
      BodyChunk& last = chunks_.back();
      std::memcpy(last.data.get() + last.size, bytes, n);
      last.size += n;
      arrived_.notify_one();
      return;
    }
  }
  BodyChunk chunk = TakeBuffer(std::max(n, chunk_capacity));
  std::memcpy(chunk.data.get(), bytes, n);
  chunk.size = n;
  Push(std::move(chunk));
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
    spare_.clear();
    offset_ = 0;
  }
  on_space_();
}

bool StreamingBody::abandoned() const {
  std::lock_guard lock(mu_);
  return abandoned_;
}

}  // namespace strato::http::internal

#pragma once
// Internal to strato_http: the BodyStream handed to a streaming request's handler. The
// connection (producer, on its strand) fills buffers as it reads the socket and pushes them;
// the handler (consumer, on a worker thread) reads them. At most `max_chunks` chunks wait at
// a time: when the handler falls behind, the connection stops reading the socket (TCP flow
// control then slows the client), so memory stays constant whatever the body size. Consumed
// buffers are kept and handed back to the producer, so a body of any size costs a few
// allocations, not one per chunk.
//
// Thread-safety: every method may be called from any thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "http/http_types.h"

namespace strato::http::internal {

// A piece of a request body in a heap buffer: `size` bytes of `capacity` hold data.
struct BodyChunk {
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  size_t size = 0;
};

class StreamingBody final : public BodyStream {
 public:
  // `on_space` runs (on the consumer's thread) whenever the consumer frees a slot or
  // abandons the body; the producer uses it to resume reading.
  StreamingBody(std::optional<uint64_t> content_length, size_t max_chunks,
                std::function<void()> on_space);

  // ---- consumer (handler) ----
  Result<size_t> Read(char* out, size_t max) override;
  std::optional<uint64_t> content_length() const override { return content_length_; }

  // ---- producer (connection) ----
  // True when the producer may push another chunk.
  bool HasRoom() const;
  // An empty buffer of at least `capacity` bytes: a consumed one when it is large enough.
  BodyChunk TakeBuffer(size_t capacity);
  // Queues a filled buffer (an empty one is given back for reuse).
  void Push(BodyChunk chunk);
  // Queues a copy of `n` bytes: appended to the last queued chunk while it has room, so the
  // small reads of a parsed (chunked) body do not each take a slot.
  void PushCopy(const char* bytes, size_t n, size_t chunk_capacity);
  // The body ended normally: Read returns 0 once the buffered chunks are consumed.
  void Finish();
  // The body cannot complete: Read returns `error` once the buffered chunks are consumed.
  void Fail(Status error);

  // The handler returned: no more reads will come, pushing is pointless.
  void Abandon();
  bool abandoned() const;

 private:
  const std::optional<uint64_t> content_length_;
  const size_t max_chunks_;
  const std::function<void()> on_space_;
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  std::deque<BodyChunk> chunks_;    // guarded by mu_
  std::vector<BodyChunk> spare_;    // guarded by mu_; consumed buffers, at most max_chunks_
  size_t offset_ = 0;               // guarded by mu_; bytes of chunks_.front() already read
  bool finished_ = false;           // guarded by mu_
  std::optional<Status> error_;     // guarded by mu_
  bool abandoned_ = false;          // guarded by mu_
};

}  // namespace strato::http::internal

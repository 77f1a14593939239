#pragma once
// Internal to strato_http: the BodyStream handed to a streaming request's handler. The
// connection (producer, on its strand) pushes chunks as it reads them; the handler (consumer,
// on a worker thread) reads them. Small pushes are appended to the last chunk while it is
// under 256 KiB, so a chunk holds at most 256 KiB plus one push. At most `max_chunks` chunks
// wait at a time: when the
// handler falls behind, the connection stops reading the socket (TCP flow control then slows
// the client), so memory stays constant whatever the body size.
//
// Thread-safety: every method may be called from any thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "http/http_types.h"

namespace strato::http::internal {

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
  void Push(std::string chunk);
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
  std::deque<std::string> chunks_;
  size_t offset_ = 0;  // bytes of chunks_.front() already read
  bool finished_ = false;
  std::optional<Status> error_;
  bool abandoned_ = false;
};

}  // namespace strato::http::internal

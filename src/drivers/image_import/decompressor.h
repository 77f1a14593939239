#pragma once
// Decompressor: undoes bzip2 or gzip compression of an uploaded image as it streams in,
// chosen by the stream's magic bytes (never by a file name). Concatenated streams (pbzip2,
// `cat a.gz b.gz`) are decompressed whole, as bzip2 -d and gzip -d do.
// Thread-safety: single owner.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato {

class Decompressor {
 public:
  using Sink = std::function<Status(std::string_view)>;
  virtual ~Decompressor() = default;
  // Decompresses `in`, handing output to `sink` in pieces. Errors: InvalidParameterValue
  // for corrupt data, or the sink's error.
  virtual Status Feed(std::string_view in, const Sink& sink) = 0;
  // The input ended: InvalidParameterValue if it ended inside a compressed stream.
  virtual Status Finish() = 0;
  virtual const char* name() const = 0;  // "none", "bzip2", "gzip"
};

// Picks by the first bytes of the stream (at least 3 should be given when available).
std::unique_ptr<Decompressor> MakeDecompressorFor(std::string_view first_bytes);

}  // namespace strato

#pragma once
// Validation of instance metadata options, shared by every front end through the
// commands. Pure functions; thread-safe.

#include <optional>
#include <string>

#include "common/status.h"
#include "core/instance_context.h"

namespace strato {

// A change to some of the options: unset fields keep their current value.
struct MetadataOptionsChange {
  std::optional<std::string> http_tokens;
  std::optional<int> hop_limit;
  std::optional<std::string> http_endpoint;
  bool empty() const { return !http_tokens && !hop_limit && !http_endpoint; }
};

// `current` with `change` applied, or InvalidParameterValue naming the bad field:
// http_tokens optional|required, hop_limit 1-64, http_endpoint enabled|disabled.
Result<MetadataOptions> ApplyMetadataOptions(const MetadataOptions& current,
                                             const MetadataOptionsChange& change);

constexpr size_t kMaxUserDataBytes = 16 * 1024;

}  // namespace strato

#pragma once
// Parsing of KEY=VALUE tag arguments (`--tag Env=prod`).
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace strato::cli {

using Tag = std::pair<std::string, std::string>;
using TagList = std::vector<Tag>;  // command-line order

// Splits at the first '='; the value may be empty ("Env=") and may contain '='.
// InvalidParameterValue when '=' is missing or the key is empty. The server enforces the
// remaining rules (lengths, the "aws:" prefix); they are not duplicated here.
Result<Tag> ParseTag(std::string_view text);

// ParseTag over every argument; also refuses a key given twice.
Result<TagList> ParseTags(const std::vector<std::string>& args);

}  // namespace strato::cli

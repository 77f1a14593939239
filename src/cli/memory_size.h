#pragma once
// Parsing of human memory sizes ("16GiB", "512MiB", "1.5GiB", "2048") into MiB.
// Thread-safety: pure function.

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace strato::cli {

// Accepts a decimal number with an optional binary suffix: MiB/M, GiB/G, TiB/T (any case,
// optional space before it); no suffix means MiB. Fractions are allowed when the result is a
// whole number of MiB ("1.5GiB" = 1536). Fails with InvalidParameterValue, naming `text`, on
// bad syntax, decimal units (GB, MB), zero, fractional MiB or overflow.
Result<uint64_t> ParseMemoryMib(std::string_view text);

}  // namespace strato::cli

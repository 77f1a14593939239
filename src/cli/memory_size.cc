#include "cli/memory_size.h"

#include <cctype>
#include <string>

namespace strato::cli {
namespace {

constexpr size_t kMaxFractionDigits = 6;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// MiB per unit, or 0 for an unknown unit.
uint64_t UnitMib(std::string_view unit) {
  const std::string u = Lower(unit);
  if (u.empty() || u == "m" || u == "mib") return 1;
  if (u == "g" || u == "gib") return 1024;
  if (u == "t" || u == "tib") return 1024 * 1024;
  return 0;
}

Status Bad(std::string_view text, std::string_view why) {
  return InvalidParameter("memory size '" + std::string(text) + "' " + std::string(why) +
                          " (examples: 512MiB, 16GiB, 1.5TiB; a plain number is MiB)");
}

}  // namespace

Result<uint64_t> ParseMemoryMib(std::string_view text) {
  const std::string_view s = Trim(text);
  size_t i = 0;
  uint64_t whole = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (__builtin_mul_overflow(whole, 10, &whole) ||
        __builtin_add_overflow(whole, static_cast<uint64_t>(s[i] - '0'), &whole)) {
      return Bad(text, "is too large");
    }
  }
  if (i == 0) return Bad(text, "does not start with a number");
  uint64_t fraction = 0;
  uint64_t scale = 1;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      if (i - start >= kMaxFractionDigits) return Bad(text, "has too many decimals");
      fraction = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
      scale *= 10;
    }
    if (i == start) return Bad(text, "has no digits after the decimal point");
  }
  const std::string_view unit = Trim(s.substr(i));
  const uint64_t per_unit = UnitMib(unit);
  if (per_unit == 0) return Bad(text, "has an unknown unit '" + std::string(unit) + "'");
  uint64_t mib = 0;
  if (__builtin_mul_overflow(whole, per_unit, &mib)) return Bad(text, "is too large");
  // scale <= 10^6 and per_unit <= 2^20, so this product cannot overflow.
  const uint64_t fraction_scaled = fraction * per_unit;
  if (fraction_scaled % scale != 0) return Bad(text, "is not a whole number of MiB");
  if (__builtin_add_overflow(mib, fraction_scaled / scale, &mib)) return Bad(text, "is too large");
  if (mib == 0) return Bad(text, "must be greater than zero");
  return mib;
}

}  // namespace strato::cli

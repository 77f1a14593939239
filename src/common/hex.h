#pragma once
// Hex encoding for digests, signatures and random ids.
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace strato {

// Lowercase hex of arbitrary bytes ("\x01\xab" -> "01ab").
std::string HexEncode(std::string_view bytes);

// Inverse of HexEncode; accepts either case. nullopt for odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view hex);

// True when every character is 0-9 or a-f (an empty string qualifies).
bool IsLowerHex(std::string_view text);

}  // namespace strato

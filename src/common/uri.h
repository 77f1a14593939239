#pragma once
// Percent-encoding as AWS Signature Version 4 defines it (RFC 3986 unreserved set).
// Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace strato {

// Keeps A-Z a-z 0-9 '-' '_' '.' '~' as they are and writes every other byte as %XX with
// uppercase hex (space -> %20, '+' -> %2B). '/' is kept unless encode_slash is true.
std::string UriEncode(std::string_view text, bool encode_slash);

// Replaces each %XX (either case) with its byte. '+' stays '+' (RFC 3986, not HTML forms);
// a '%' not followed by two hex digits is kept literally, so any input decodes.
std::string UriDecode(std::string_view text);

}  // namespace strato

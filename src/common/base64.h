#pragma once
// Standard base64 (RFC 4648, with padding), as Content-MD5, x-amz-checksum-* and EC2's
// UserData / GetConsoleOutput use it.

#include <optional>
#include <string>
#include <string_view>

namespace strato {

std::string Base64Encode(std::string_view data);
// nullopt for anything that is not canonical padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace strato

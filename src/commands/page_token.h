#pragma once
// Opaque pagination tokens: the keyset cursor (last id of the previous page), encoded so
// clients do not build them by hand. A token that does not decode is InvalidParameterValue.

#include <string>
#include <string_view>

#include "common/status.h"

namespace strato {

std::string EncodePageToken(std::string_view last_id);
// `prefix` is the resource-id prefix the token must carry ("" accepts any).
Result<std::string> DecodePageToken(std::string_view token, std::string_view prefix);

}  // namespace strato

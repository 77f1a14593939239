#pragma once
// Input checks shared by commands. Each returns InvalidParameterValue naming the field.

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato {

Status ValidateName(std::string_view field, std::string_view value, size_t max_len = 128);
Status ValidateTags(std::string_view field, const std::map<std::string, std::string>& tags);
Status ValidateTagKey(std::string_view field, std::string_view key);
// Checks `id` has the resource-id form for `prefix` ("i", "ami", …); a malformed id is
// answered with `<Kind>.Malformed`.
Status ValidateId(std::string_view field, std::string_view id, std::string_view prefix,
                  std::string_view not_found_code);

}  // namespace strato

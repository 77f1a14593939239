#include "commands/validation.h"

#include "common/ids.h"
#include "commands/command_env.h"

namespace strato {

Status RequireAdmin(const Principal& p) {
  if (p.is_admin()) return OkStatus();
  return Forbidden("UnauthorizedOperation",
                   "You are not authorized to perform this operation: it needs the cloud admin.");
}

Status ValidateName(std::string_view field, std::string_view value, size_t max_len) {
  if (value.empty() || value.size() > max_len) {
    return InvalidParameter("'" + std::string(field) + "' must be 1 to " +
                            std::to_string(max_len) + " characters.");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidParameter("'" + std::string(field) + "' contains a control character.");
    }
  }
  return OkStatus();
}

Status ValidateTagKey(std::string_view field, std::string_view key) {
  STRATO_RETURN_IF_ERROR(ValidateName(field, key, 128));
  if (key.substr(0, 4) == "aws:") {
    return InvalidParameter("'" + std::string(field) + "': tag keys starting with 'aws:' are "
                            "reserved.");
  }
  return OkStatus();
}

Status ValidateTags(std::string_view field, const std::map<std::string, std::string>& tags) {
  if (tags.size() > 50) {
    return InvalidParameter("'" + std::string(field) + "' has more than 50 tags.");
  }
  for (const auto& [k, v] : tags) {
    STRATO_RETURN_IF_ERROR(ValidateTagKey(std::string(field) + " key", k));
    if (v.size() > 256) {
      return InvalidParameter("'" + std::string(field) + "': the value of tag '" + k +
                              "' is longer than 256 characters.");
    }
  }
  return OkStatus();
}

Status ValidateId(std::string_view field, std::string_view id, std::string_view prefix,
                  std::string_view not_found_code) {
  if (IsResourceId(id, prefix)) return OkStatus();
  std::string code(not_found_code);
  auto dot = code.rfind(".NotFound");
  if (dot != std::string::npos) code = code.substr(0, dot) + ".Malformed";
  return BadRequest(code, "'" + std::string(field) + "': '" + std::string(id) +
                              "' is not a valid id (expected " + std::string(prefix) +
                              "- followed by 17 hex digits).");
}

}  // namespace strato

#include "cli/tag_spec.h"

#include <set>

namespace strato::cli {

Result<Tag> ParseTag(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return InvalidParameter("tag '" + std::string(text) + "' must be KEY=VALUE");
  }
  if (eq == 0) return InvalidParameter("tag '" + std::string(text) + "' has an empty key");
  return Tag{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

Result<TagList> ParseTags(const std::vector<std::string>& args) {
  TagList tags;
  std::set<std::string> seen;
  for (const std::string& arg : args) {
    STRATO_ASSIGN_OR_RETURN(Tag tag, ParseTag(arg));
    if (!seen.insert(tag.first).second) {
      return InvalidParameter("tag key '" + tag.first + "' is given more than once");
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

}  // namespace strato::cli

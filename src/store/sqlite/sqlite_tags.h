#pragma once
// Internal to the SQLite store: the tags of resources whose rows live in their own tables
// (volumes, snapshots, VPCs, subnets, security groups, elastic IPs), shared by the
// sqlite_*_txn.cc files. Instances load theirs by id range in sqlite_txn.cc.

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"

namespace strato::sqlite {

// Removes every tag of a resource that is being deleted.
Status DeleteResourceTags(Connection& db, const std::string& resource_id);

// Records `tags` of a resource being created.
Status InsertResourceTags(Connection& db, const std::string& tenant_id,
                          const std::string& resource_id,
                          const std::map<std::string, std::string>& tags);

// The tags of `ids`, by resource id (resources without tags are absent).
Result<std::unordered_map<std::string, std::map<std::string, std::string>>> TagsOf(
    Connection& db, const std::vector<std::string>& ids);

// Fills the `tags` of each item (anything with `id` and `tags`) in a few queries.
template <typename T>
Status LoadResourceTags(Connection& db, std::vector<T>& items) {
  if (items.empty()) return OkStatus();
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const T& item : items) ids.push_back(item.id);
  STRATO_ASSIGN_OR_RETURN(auto tags, TagsOf(db, ids));
  for (T& item : items) {
    auto it = tags.find(item.id);
    if (it != tags.end()) item.tags = std::move(it->second);
  }
  return OkStatus();
}

}  // namespace strato::sqlite

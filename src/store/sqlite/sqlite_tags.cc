#include "store/sqlite/sqlite_tags.h"

#include <algorithm>

namespace strato::sqlite {

Status DeleteResourceTags(Connection& db, const std::string& resource_id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db.Prepare("DELETE FROM tags WHERE resource_id = ?"));
  s.Bind(1, std::string_view(resource_id));
  return s.Run();
}

Status InsertResourceTags(Connection& db, const std::string& tenant_id,
                          const std::string& resource_id,
                          const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) {
    STRATO_ASSIGN_OR_RETURN(
        auto s, db.Prepare("INSERT INTO tags (resource_id, tenant_id, key, value) VALUES "
                           "(?, ?, ?, ?) ON CONFLICT (resource_id, key) DO UPDATE SET "
                           "value = excluded.value"));
    s.Bind(1, std::string_view(resource_id))
        .Bind(2, std::string_view(tenant_id))
        .Bind(3, std::string_view(key))
        .Bind(4, std::string_view(value));
    STRATO_RETURN_IF_ERROR(s.Run());
  }
  return OkStatus();
}

Result<std::unordered_map<std::string, std::map<std::string, std::string>>> TagsOf(
    Connection& db, const std::vector<std::string>& ids) {
  // In slices: SQLite bounds the number of parameters of one statement.
  constexpr size_t kSlice = 500;
  std::unordered_map<std::string, std::map<std::string, std::string>> out;
  for (size_t from = 0; from < ids.size(); from += kSlice) {
    const size_t n = std::min(kSlice, ids.size() - from);
    std::string sql = "SELECT resource_id, key, value FROM tags WHERE resource_id IN (";
    for (size_t k = 0; k < n; ++k) sql += k ? ", ?" : "?";
    sql += ")";
    STRATO_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
    for (size_t k = 0; k < n; ++k) {
      stmt.Bind(static_cast<int>(k + 1), std::string_view(ids[from + k]));
    }
    for (;;) {
      STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out[stmt.Text(0)][stmt.Text(1)] = stmt.Text(2);
    }
  }
  return out;
}

}  // namespace strato::sqlite

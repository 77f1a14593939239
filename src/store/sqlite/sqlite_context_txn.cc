// SqliteTxn: instance contexts (key pair, user-data, metadata options).
#include <sqlite3.h>

#include "common/base64.h"
#include "store/sqlite/sqlite_txn.h"  // IWYU pragma: associated

namespace strato::sqlite {

Result<InstanceContext> SqliteTxn::GetInstanceContext(const Scope& scope,
                                                      const std::string& instance_id) {
  std::string sql =
      "SELECT tenant_id, key_name, public_key, user_data_b64, http_tokens, hop_limit, "
      "http_endpoint FROM instance_contexts WHERE instance_id = ?";
  if (!scope.is_system()) sql += " AND tenant_id = ?";
  STRATO_ASSIGN_OR_RETURN(auto stmt, db_.Prepare(sql));
  stmt.Bind(1, std::string_view(instance_id));
  if (!scope.is_system()) stmt.Bind(2, std::string_view(scope.tenant_id()));
  InstanceContext c;
  c.instance_id = instance_id;
  STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return c;
  c.tenant_id = stmt.Text(0);
  c.key_name = stmt.Text(1);
  c.public_key = stmt.Text(2);
  c.user_data = Base64Decode(stmt.Text(3)).value_or("");
  c.metadata.http_tokens = stmt.Text(4);
  c.metadata.hop_limit = static_cast<int>(stmt.Int(5));
  c.metadata.http_endpoint = stmt.Text(6);
  // A statement left mid-result would pin this connection's read snapshot (the WAL trap in
  // bench/RESULTS.md): later reads on it would see the past.
  sqlite3_reset(stmt.raw());
  return c;
}

Status SqliteTxn::PutInstanceContext(const InstanceContext& c) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("INSERT OR REPLACE INTO instance_contexts (instance_id, tenant_id, "
                          "key_name, public_key, user_data_b64, http_tokens, hop_limit, "
                          "http_endpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  std::string ud = Base64Encode(c.user_data);
  s.Bind(1, std::string_view(c.instance_id))
      .Bind(2, std::string_view(c.tenant_id))
      .Bind(3, std::string_view(c.key_name))
      .Bind(4, std::string_view(c.public_key))
      .Bind(5, std::string_view(ud))
      .Bind(6, std::string_view(c.metadata.http_tokens))
      .Bind(7, int64_t{c.metadata.hop_limit})
      .Bind(8, std::string_view(c.metadata.http_endpoint));
  return s.Run();
}

}  // namespace strato::sqlite

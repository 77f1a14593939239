// SqliteTxn: security groups, their rules and members; elastic IPs.
#include <map>
#include <optional>

#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_tags.h"
#include "store/sqlite/sqlite_txn.h"  // IWYU pragma: associated

namespace strato::sqlite {
namespace {

constexpr const char* kGroupSelect =
    "SELECT id, tenant_id, vpc_id, name, description, is_default, created_at "
    "FROM security_groups WHERE 1 = 1";
SecurityGroup ReadGroup(Statement& s) {
  return SecurityGroup{s.Text(0), s.Text(1),     s.Text(2), s.Text(3),
                       s.Text(4), s.Int(5) != 0, s.Int(6),  {}};
}

constexpr const char* kRuleSelect =
    "SELECT id, group_id, egress, protocol, from_port, to_port, cidr, source_group_id, "
    "description FROM security_group_rules";
SecurityGroupRule ReadRule(Statement& s) {
  return SecurityGroupRule{s.Text(0),
                           s.Text(1),
                           s.Int(2) != 0,
                           s.Text(3),
                           static_cast<int>(s.Int(4)),
                           static_cast<int>(s.Int(5)),
                           s.Text(6),
                           s.Text(7),
                           s.Text(8)};
}

constexpr const char* kAddressSelect =
    "SELECT id, tenant_id, public_ip, ip_num, instance_id, association_id, auto_assigned, "
    "created_at FROM addresses WHERE 1 = 1";
Address ReadAddress(Statement& s) {
  return Address{s.Text(0), s.Text(1), s.Text(2),     s.Int(3),
                 s.Text(4), s.Text(5), s.Int(6) != 0, s.Int(7)};
}

// Text parameters bound in order.
Result<Statement> PrepareWith(Connection& db, const std::string& sql,
                              const std::vector<std::string>& args) {
  STRATO_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i)
    stmt.Bind(static_cast<int>(i + 1), std::string_view(args[i]));
  return stmt;
}

// Appends "AND column = ?" conditions; unset values add nothing.
struct Where {
  std::string sql;
  std::vector<std::string> args;
  Where(const char* select, const Scope& scope) : sql(select) {
    if (!scope.is_system()) Equals("tenant_id", scope.tenant_id());
  }
  void Equals(const char* column, const std::optional<std::string>& value) {
    if (!value) return;
    sql += std::string(" AND ") + column + " = ?";
    args.push_back(*value);
  }
};

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

Status InsertRule(Connection& db, const SecurityGroupRule& r) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db.Prepare("INSERT INTO security_group_rules (id, group_id, egress, protocol, "
                         "from_port, to_port, cidr, source_group_id, description) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(r.id))
      .Bind(2, std::string_view(r.group_id))
      .Bind(3, r.egress)
      .Bind(4, std::string_view(r.protocol))
      .Bind(5, r.from_port)
      .Bind(6, r.to_port)
      .Bind(7, std::string_view(r.cidr))
      .Bind(8, std::string_view(r.source_group_id))
      .Bind(9, std::string_view(r.description));
  return s.Run();
}

}  // namespace

Result<SecurityGroup> SqliteTxn::GetSecurityGroup(const Scope& scope, const std::string& id) {
  SecurityGroupFilter f;
  f.ids = {id};
  STRATO_ASSIGN_OR_RETURN(auto groups, ListSecurityGroups(scope, f));
  if (groups.empty())
    return NotFound("InvalidGroup.NotFound", "The security group '" + id + "' does not exist.");
  return std::move(groups.front());
}

Result<std::vector<SecurityGroup>> SqliteTxn::ListSecurityGroups(
    const Scope& scope, const SecurityGroupFilter& filter) {
  Where w(kGroupSelect, scope);
  w.Equals("vpc_id", filter.vpc_id);
  w.Equals("name", filter.name);
  if (!filter.ids.empty()) {
    w.sql += " AND id IN (" + Placeholders(filter.ids.size()) + ")";
    w.args.insert(w.args.end(), filter.ids.begin(), filter.ids.end());
  }
  STRATO_ASSIGN_OR_RETURN(auto stmt, PrepareWith(db_, w.sql + " ORDER BY id", w.args));
  STRATO_ASSIGN_OR_RETURN(auto groups, CollectRows<SecurityGroup>(stmt, ReadGroup));
  if (groups.empty()) return groups;
  std::map<std::string, SecurityGroup*> by_id;
  std::vector<std::string> ids;
  for (auto& g : groups) {
    by_id[g.id] = &g;
    ids.push_back(g.id);
  }
  STRATO_ASSIGN_OR_RETURN(auto rstmt,
                          PrepareWith(db_,
                                      std::string(kRuleSelect) + " WHERE group_id IN (" +
                                          Placeholders(ids.size()) + ") ORDER BY group_id, id",
                                      ids));
  STRATO_ASSIGN_OR_RETURN(auto rules, CollectRows<SecurityGroupRule>(rstmt, ReadRule));
  for (auto& r : rules) by_id[r.group_id]->rules.push_back(std::move(r));
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, groups));
  return groups;
}

Result<std::vector<std::string>> SqliteTxn::ListInstanceSecurityGroups(
    const std::string& instance_id) {
  STRATO_ASSIGN_OR_RETURN(
      auto stmt, PrepareWith(db_,
                             "SELECT group_id FROM instance_security_groups WHERE instance_id = ? "
                             "ORDER BY position",
                             {instance_id}));
  return CollectRows<std::string>(stmt, [](Statement& s) { return s.Text(0); });
}

Result<std::vector<SecurityGroupMember>> SqliteTxn::ListSecurityGroupMembers(
    const std::vector<std::string>& group_ids) {
  std::string sql =
      "SELECT m.instance_id, m.group_id FROM instance_security_groups m "
      "JOIN instances i ON i.id = m.instance_id WHERE i.state != 'terminated'";
  if (!group_ids.empty()) sql += " AND m.group_id IN (" + Placeholders(group_ids.size()) + ")";
  sql += " ORDER BY m.group_id, m.instance_id";
  STRATO_ASSIGN_OR_RETURN(auto stmt, PrepareWith(db_, sql, group_ids));
  return CollectRows<SecurityGroupMember>(stmt, [](Statement& s) {
    return SecurityGroupMember{s.Text(0), s.Text(1)};
  });
}

Result<Address> SqliteTxn::GetAddress(const Scope& scope, const std::string& id) {
  Where w(kAddressSelect, scope);
  w.Equals("id", id);
  STRATO_ASSIGN_OR_RETURN(auto stmt, PrepareWith(db_, w.sql, w.args));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<Address>(stmt, ReadAddress));
  if (rows.empty())
    return NotFound("InvalidAllocationID.NotFound",
                    "The allocation ID '" + id + "' does not exist.");
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return std::move(rows.front());
}

Result<std::vector<Address>> SqliteTxn::ListAddresses(const Scope& scope,
                                                      const AddressFilter& filter) {
  Where w(kAddressSelect, scope);
  w.Equals("instance_id", filter.instance_id);
  w.Equals("public_ip", filter.public_ip);
  STRATO_ASSIGN_OR_RETURN(auto stmt, PrepareWith(db_, w.sql + " ORDER BY ip_num", w.args));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<Address>(stmt, ReadAddress));
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return rows;
}

Result<bool> SqliteTxn::GetMapPublicIpOnLaunch(const std::string& subnet_id) {
  STRATO_ASSIGN_OR_RETURN(
      auto stmt,
      PrepareWith(db_, "SELECT map_public_ip_on_launch FROM subnet_settings WHERE subnet_id = ?",
                  {subnet_id}));
  STRATO_ASSIGN_OR_RETURN(auto rows,
                          CollectRows<bool>(stmt, [](Statement& s) { return s.Int(0) != 0; }));
  return !rows.empty() && rows.front();
}

Status SqliteTxn::InsertSecurityGroup(const SecurityGroup& g) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("INSERT INTO security_groups (id, tenant_id, vpc_id, name, description, "
                          "is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(g.id))
      .Bind(2, std::string_view(g.tenant_id))
      .Bind(3, std::string_view(g.vpc_id))
      .Bind(4, std::string_view(g.name))
      .Bind(5, std::string_view(g.description))
      .Bind(6, g.is_default)
      .Bind(7, g.created_at);
  STRATO_RETURN_IF_ERROR(s.Run());
  for (const auto& r : g.rules) STRATO_RETURN_IF_ERROR(InsertRule(db_, r));
  return InsertResourceTags(db_, g.tenant_id, g.id, g.tags);
}

Status SqliteTxn::DeleteSecurityGroup(const std::string& id) {
  for (const char* sql : {"DELETE FROM tags WHERE resource_id = ?",
                          "DELETE FROM security_group_rules WHERE group_id = ?",
                          "DELETE FROM instance_security_groups WHERE group_id = ?",
                          "DELETE FROM security_groups WHERE id = ?"}) {
    STRATO_ASSIGN_OR_RETURN(auto s, PrepareWith(db_, sql, {id}));
    STRATO_RETURN_IF_ERROR(s.Run());
  }
  if (db_.Changes() == 0)
    return NotFound("InvalidGroup.NotFound", "The security group '" + id + "' does not exist.");
  return OkStatus();
}

Status SqliteTxn::ReplaceSecurityGroupRules(const std::string& group_id,
                                            const std::vector<SecurityGroupRule>& rules) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, PrepareWith(db_, "DELETE FROM security_group_rules WHERE group_id = ?", {group_id}));
  STRATO_RETURN_IF_ERROR(s.Run());
  for (const auto& r : rules) STRATO_RETURN_IF_ERROR(InsertRule(db_, r));
  return OkStatus();
}

Status SqliteTxn::SetInstanceSecurityGroups(const std::string& instance_id,
                                            const std::vector<std::string>& group_ids) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, PrepareWith(db_, "DELETE FROM instance_security_groups WHERE instance_id = ?",
                          {instance_id}));
  STRATO_RETURN_IF_ERROR(s.Run());
  for (size_t k = 0; k < group_ids.size(); ++k) {
    STRATO_ASSIGN_OR_RETURN(auto ins, db_.Prepare("INSERT INTO instance_security_groups "
                                                  "(instance_id, group_id, position) "
                                                  "VALUES (?, ?, ?)"));
    ins.Bind(1, std::string_view(instance_id))
        .Bind(2, std::string_view(group_ids[k]))
        .Bind(3, static_cast<int64_t>(k));
    STRATO_RETURN_IF_ERROR(ins.Run());
  }
  return OkStatus();
}

Status SqliteTxn::InsertAddress(const Address& a) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("INSERT INTO addresses (id, tenant_id, public_ip, ip_num, instance_id, "
                          "association_id, auto_assigned, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(a.id))
      .Bind(2, std::string_view(a.tenant_id))
      .Bind(3, std::string_view(a.public_ip))
      .Bind(4, a.ip_num)
      .Bind(5, std::string_view(a.instance_id))
      .Bind(6, std::string_view(a.association_id))
      .Bind(7, a.auto_assigned)
      .Bind(8, a.created_at);
  STRATO_RETURN_IF_ERROR(s.Run());
  return InsertResourceTags(db_, a.tenant_id, a.id, a.tags);
}

Status SqliteTxn::UpdateAddress(const Address& a) {
  STRATO_ASSIGN_OR_RETURN(auto s,
                          db_.Prepare("UPDATE addresses SET instance_id = ?, "
                                      "association_id = ?, auto_assigned = ? WHERE id = ?"));
  s.Bind(1, std::string_view(a.instance_id))
      .Bind(2, std::string_view(a.association_id))
      .Bind(3, a.auto_assigned)
      .Bind(4, std::string_view(a.id));
  STRATO_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0)
    return NotFound("InvalidAllocationID.NotFound",
                    "The allocation ID '" + a.id + "' does not exist.");
  return OkStatus();
}

Status SqliteTxn::DeleteAddress(const std::string& id) {
  STRATO_RETURN_IF_ERROR(DeleteResourceTags(db_, id));
  STRATO_ASSIGN_OR_RETURN(auto s, PrepareWith(db_, "DELETE FROM addresses WHERE id = ?", {id}));
  STRATO_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0)
    return NotFound("InvalidAllocationID.NotFound",
                    "The allocation ID '" + id + "' does not exist.");
  return OkStatus();
}

Status SqliteTxn::SetMapPublicIpOnLaunch(const std::string& subnet_id, bool on) {
  STRATO_ASSIGN_OR_RETURN(auto s,
                          db_.Prepare("INSERT OR REPLACE INTO subnet_settings "
                                      "(subnet_id, map_public_ip_on_launch) VALUES (?, ?)"));
  s.Bind(1, std::string_view(subnet_id)).Bind(2, on);
  return s.Run();
}

}  // namespace strato::sqlite

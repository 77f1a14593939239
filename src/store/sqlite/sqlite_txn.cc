#include "store/sqlite/sqlite_txn.h"
#include "store/sqlite/sqlite_tags.h"

#include "store/sqlite/sqlite_rows.h"

#include <unordered_map>

namespace strato::sqlite {
namespace {

// Appends the tenant condition for tenant-owned tables; binds are collected in order.
struct Query {
  std::string sql;
  std::vector<std::string> text_args;
  std::vector<int64_t> int_args;
  std::vector<bool> arg_is_int;

  void Text(std::string v) {
    text_args.push_back(std::move(v));
    arg_is_int.push_back(false);
  }
  void Int(int64_t v) {
    int_args.push_back(v);
    arg_is_int.push_back(true);
  }
  void Scoped(const Scope& scope, const char* column = "tenant_id") {
    if (scope.is_system()) return;
    sql += std::string(" AND ") + column + " = ?";
    Text(scope.tenant_id());
  }
  void Paged(const Page& page) {
    if (!page.after_id.empty()) {
      sql += " AND id > ?";
      Text(page.after_id);
    }
    sql += " ORDER BY id LIMIT ?";
    Int(page.limit);
  }
  Result<Statement> Prepare(Connection& db) const {
    STRATO_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
    size_t t = 0, n = 0;
    for (size_t i = 0; i < arg_is_int.size(); ++i) {
      if (arg_is_int[i]) {
        stmt.Bind(static_cast<int>(i + 1), int_args[n++]);
      } else {
        stmt.Bind(static_cast<int>(i + 1), std::string_view(text_args[t++]));
      }
    }
    return stmt;
  }
};

// Runs a prepared query and maps each row with `read`.
template <typename T, typename F>
Result<std::vector<T>> Collect(Statement stmt, F read) {
  return CollectRows<T>(stmt, read);
}

template <typename T>
Result<T> First(Result<std::vector<T>> rows, const char* code, const std::string& what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(code, what + " does not exist.");
  return std::move(rows->front());
}

constexpr const char* kTenantCols = "id, name, created_at";
Tenant ReadTenant(Statement& s) { return Tenant{s.Text(0), s.Text(1), s.Int(2)}; }

constexpr const char* kUserCols = "id, tenant_id, name, role, created_at";
User ReadUser(Statement& s) {
  return User{s.Text(0), s.Text(1), s.Text(2), ParseRole(s.Text(3)).value_or(Role::kMember),
              s.Int(4)};
}

constexpr const char* kKeyCols = "id, user_id, tenant_id, secret_sealed, active, created_at";
AccessKey ReadKey(Statement& s) {
  return AccessKey{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) != 0, s.Int(5)};
}

constexpr const char* kHostSelect =
    "SELECT h.id, h.name, h.zone, h.driver, h.vcpus, h.memory_mib, h.cpu_ratio, h.enabled, "
    "h.created_at, COALESCE(SUM(i.vcpus), 0), COALESCE(SUM(i.memory_mib), 0), COUNT(i.id) "
    "FROM hosts h LEFT JOIN instances i ON i.host_id = h.id WHERE 1 = 1";
Host ReadHost(Statement& s) {
  Host h;
  h.id = s.Text(0);
  h.name = s.Text(1);
  h.zone = s.Text(2);
  h.driver = s.Text(3);
  h.vcpus = static_cast<int>(s.Int(4));
  h.memory_mib = s.Int(5);
  h.cpu_ratio = s.Double(6);
  h.enabled = s.Int(7) != 0;
  h.created_at = s.Int(8);
  h.allocated_vcpus = static_cast<int>(s.Int(9));
  h.allocated_memory_mib = s.Int(10);
  h.instance_count = static_cast<int>(s.Int(11));
  return h;
}

constexpr const char* kInstanceCols =
    "id, tenant_id, name, image_id, instance_type, vcpus, memory_mib, zone, zone_requested, "
    "host_id, state, state_reason, desired_state, force_stop, reboot_generation, "
    "placement_policy, launched_at, updated_at, terminated_at, last_host_id, placement_generation, "
    "launch_index";
Instance ReadInstance(Statement& s) {
  Instance i;
  i.id = s.Text(0);
  i.tenant_id = s.Text(1);
  i.name = s.Text(2);
  i.image_id = s.Text(3);
  i.instance_type = s.Text(4);
  i.vcpus = static_cast<int>(s.Int(5));
  i.memory_mib = s.Int(6);
  i.zone = s.Text(7);
  i.zone_requested = s.Int(8) != 0;
  i.host_id = s.OptText(9);
  i.state = ParseInstanceState(s.Text(10)).value_or(InstanceState::kPending);
  i.state_reason = s.Text(11);
  i.desired_state = ParseDesiredState(s.Text(12)).value_or(DesiredState::kRunning);
  i.force_stop = s.Int(13) != 0;
  i.reboot_generation = s.Int(14);
  i.placement_policy = s.Text(15);
  i.launched_at = s.Int(16);
  i.updated_at = s.Int(17);
  i.terminated_at = s.Int(18);
  i.last_host_id = s.Text(19);
  i.placement_generation = s.Int(20);
  i.launch_index = static_cast<int>(s.Int(21));
  return i;
}
// Binds the mutable instance columns in kInstanceCols order starting at `first`.
void BindInstance(Statement& s, const Instance& i) {
  s.Bind(1, std::string_view(i.id))
      .Bind(2, std::string_view(i.tenant_id))
      .Bind(3, std::string_view(i.name))
      .Bind(4, std::string_view(i.image_id))
      .Bind(5, std::string_view(i.instance_type))
      .Bind(6, i.vcpus)
      .Bind(7, i.memory_mib)
      .Bind(8, std::string_view(i.zone))
      .Bind(9, i.zone_requested)
      .Bind(10, i.host_id)
      .Bind(11, std::string_view(ToString(i.state)))
      .Bind(12, std::string_view(i.state_reason))
      .Bind(13, std::string_view(ToString(i.desired_state)))
      .Bind(14, i.force_stop)
      .Bind(15, i.reboot_generation)
      .Bind(16, std::string_view(i.placement_policy))
      .Bind(17, i.launched_at)
      .Bind(18, i.updated_at)
      .Bind(19, i.terminated_at)
      .Bind(20, std::string_view(i.last_host_id))
      .Bind(21, i.placement_generation)
      .Bind(22, i.launch_index);
}

constexpr const char* kImageCols = "id, tenant_id, name, description, is_public, state, created_at";
Image ReadImage(Statement& s) {
  return Image{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) != 0, s.Text(5), s.Int(6)};
}

constexpr const char* kKeyPairCols = "id, tenant_id, name, public_key, fingerprint, created_at";
KeyPair ReadKeyPair(Statement& s) {
  return KeyPair{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5)};
}

// A tenant's images: its own, public ones, and those shared with it.
void VisibleImagesOnly(Query& q, const Scope& scope) {
  if (scope.is_system()) return;
  q.sql += " AND (tenant_id = ? OR is_public = 1 OR EXISTS (SELECT 1 FROM "
           "image_launch_permissions g WHERE g.image_id = images.id AND g.tenant_id = ?))";
  q.Text(scope.tenant_id());
  q.Text(scope.tenant_id());
}

Status ExpectOneChange(Connection& db, const char* code, const std::string& what) {
  if (db.Changes() == 0) return NotFound(code, what + " does not exist.");
  return OkStatus();
}

}  // namespace

// ---- tenants, users, keys ----

Result<Tenant> SqliteTxn::GetTenant(const std::string& id) {
  Query q{std::string("SELECT ") + kTenantCols + " FROM tenants WHERE id = ?"};
  q.Text(id);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return First(Collect<Tenant>(stmt, ReadTenant), "InvalidTenantID.NotFound",
               "The tenant '" + id + "'");
}

Result<Tenant> SqliteTxn::GetTenantByName(const std::string& name) {
  Query q{std::string("SELECT ") + kTenantCols + " FROM tenants WHERE name = ?"};
  q.Text(name);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return First(Collect<Tenant>(stmt, ReadTenant), "InvalidTenantID.NotFound",
               "The tenant named '" + name + "'");
}

Result<std::vector<Tenant>> SqliteTxn::ListTenants(const Page& page) {
  Query q{std::string("SELECT ") + kTenantCols + " FROM tenants WHERE 1 = 1"};
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<Tenant>(stmt, ReadTenant);
}

Result<User> SqliteTxn::GetUser(const Scope& scope, const std::string& id) {
  Query q{std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?"};
  q.Text(id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return First(Collect<User>(stmt, ReadUser), "InvalidUserID.NotFound", "The user '" + id + "'");
}

Result<std::vector<User>> SqliteTxn::ListUsers(const Scope& scope, const Page& page) {
  Query q{std::string("SELECT ") + kUserCols + " FROM users WHERE 1 = 1"};
  q.Scoped(scope);
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<User>(stmt, ReadUser);
}

Result<AccessKey> SqliteTxn::GetAccessKey(const Scope& scope, const std::string& id) {
  Query q{std::string("SELECT ") + kKeyCols + " FROM access_keys WHERE id = ?"};
  q.Text(id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return First(Collect<AccessKey>(stmt, ReadKey), "InvalidAccessKeyId.NotFound",
               "The access key '" + id + "'");
}

Result<std::vector<AccessKey>> SqliteTxn::ListAccessKeys(const Scope& scope, const Page& page) {
  Query q{std::string("SELECT ") + kKeyCols + " FROM access_keys WHERE 1 = 1"};
  q.Scoped(scope);
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<AccessKey>(stmt, ReadKey);
}

Status SqliteTxn::InsertTenant(const Tenant& t) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO tenants (id, name, created_at) "
                                              "VALUES (?, ?, ?)"));
  s.Bind(1, std::string_view(t.id)).Bind(2, std::string_view(t.name)).Bind(3, t.created_at);
  return s.Run();
}

Status SqliteTxn::InsertUser(const User& u) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO users (id, tenant_id, name, role, "
                                              "created_at) VALUES (?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(u.id))
      .Bind(2, std::string_view(u.tenant_id))
      .Bind(3, std::string_view(u.name))
      .Bind(4, std::string_view(ToString(u.role)))
      .Bind(5, u.created_at);
  return s.Run();
}

Status SqliteTxn::InsertAccessKey(const AccessKey& k) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO access_keys (id, user_id, tenant_id, "
                                              "secret_sealed, active, created_at) VALUES "
                                              "(?, ?, ?, ?, ?, ?)"));
  sqlite3_bind_blob(s.raw(), 4, k.secret_sealed.data(), static_cast<int>(k.secret_sealed.size()),
                    SQLITE_TRANSIENT);
  s.Bind(1, std::string_view(k.id))
      .Bind(2, std::string_view(k.user_id))
      .Bind(3, std::string_view(k.tenant_id))
      .Bind(5, k.active)
      .Bind(6, k.created_at);
  return s.Run();
}

Status SqliteTxn::DeleteAccessKey(const Scope& scope, const std::string& id) {
  Query q{"DELETE FROM access_keys WHERE id = ?"};
  q.Text(id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  STRATO_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange(db_, "InvalidAccessKeyId.NotFound", "The access key '" + id + "'");
}

// ---- hosts ----

Result<Host> SqliteTxn::GetHost(const std::string& id) {
  Query q{std::string(kHostSelect) + " AND h.id = ? GROUP BY h.id"};
  q.Text(id);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return First(Collect<Host>(stmt, ReadHost), "InvalidHostID.NotFound", "The host '" + id + "'");
}

Result<std::vector<Host>> SqliteTxn::ListHosts(const HostFilter& filter, const Page& page) {
  Query q{kHostSelect};
  if (filter.zone) {
    q.sql += " AND h.zone = ?";
    q.Text(*filter.zone);
  }
  if (filter.enabled) {
    q.sql += " AND h.enabled = ?";
    q.Int(*filter.enabled ? 1 : 0);
  }
  if (!page.after_id.empty()) {
    q.sql += " AND h.id > ?";
    q.Text(page.after_id);
  }
  q.sql += " GROUP BY h.id ORDER BY h.id LIMIT ?";
  q.Int(page.limit);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<Host>(stmt, ReadHost);
}

Result<ReadTxn::HostFit> SqliteTxn::CountHostsThatFit(int vcpus, int64_t memory_mib) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("SELECT COUNT(*), COALESCE(SUM(CASE WHEN memory_mib >= ? AND "
                          "vcpus * cpu_ratio >= ? THEN 1 ELSE 0 END), 0) FROM hosts "
                          "WHERE enabled = 1"));
  s.Bind(1, memory_mib).Bind(2, static_cast<double>(vcpus));
  STRATO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return HostFit{};
  return HostFit{s.Int(0), s.Int(1)};
}

Status SqliteTxn::InsertHost(const Host& h) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO hosts (id, name, zone, driver, vcpus, "
                                              "memory_mib, cpu_ratio, enabled, created_at) "
                                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(h.id))
      .Bind(2, std::string_view(h.name))
      .Bind(3, std::string_view(h.zone))
      .Bind(4, std::string_view(h.driver))
      .Bind(5, h.vcpus)
      .Bind(6, h.memory_mib)
      .Bind(7, h.cpu_ratio)
      .Bind(8, h.enabled)
      .Bind(9, h.created_at);
  return s.Run();
}

Status SqliteTxn::SetHostEnabled(const std::string& id, bool enabled) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("UPDATE hosts SET enabled = ? WHERE id = ?"));
  s.Bind(1, enabled).Bind(2, std::string_view(id));
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidHostID.NotFound", "The host '" + id + "'");
}

// ---- instances ----

Result<Instance> SqliteTxn::GetInstance(const Scope& scope, const std::string& id) {
  Query q{std::string("SELECT ") + kInstanceCols + " FROM instances WHERE id = ?"};
  q.Text(id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  auto rows = Collect<Instance>(stmt, ReadInstance);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return NotFound("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist.");
  }
  STRATO_RETURN_IF_ERROR(LoadTags(scope, *rows));
  STRATO_RETURN_IF_ERROR(LoadInterfaces(*rows));
  return std::move(rows->front());
}

Result<std::vector<Instance>> SqliteTxn::ListInstances(const Scope& scope,
                                                       const InstanceFilter& filter,
                                                       const Page& page) {
  Query q{std::string("SELECT ") + kInstanceCols + " FROM instances WHERE 1 = 1"};
  q.Scoped(scope);
  std::vector<InstanceState> states = filter.states;
  if (filter.state) states.push_back(*filter.state);
  if (!states.empty()) {
    q.sql += " AND state IN (";
    for (size_t i = 0; i < states.size(); ++i) {
      q.sql += i ? ", ?" : "?";
      q.Text(ToString(states[i]));
    }
    q.sql += ")";
  }
  if (filter.instance_type) {
    q.sql += " AND instance_type = ?";
    q.Text(*filter.instance_type);
  }
  if (filter.host_id) {
    q.sql += " AND host_id = ?";
    q.Text(*filter.host_id);
  }
  if (filter.zone) {
    q.sql += " AND zone = ?";
    q.Text(*filter.zone);
  }
  if (filter.unplaced_only) q.sql += " AND host_id IS NULL";
  for (const auto& [key, value] : filter.tags) {
    q.sql += " AND EXISTS (SELECT 1 FROM tags t WHERE t.resource_id = instances.id"
             " AND t.key = ? AND t.value = ?)";
    q.Text(key);
    q.Text(value);
  }
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  STRATO_ASSIGN_OR_RETURN(auto rows, Collect<Instance>(stmt, ReadInstance));
  STRATO_RETURN_IF_ERROR(LoadTags(scope, rows));
  STRATO_RETURN_IF_ERROR(LoadInterfaces(rows));
  return rows;
}

// One range query for the tags of a whole page (ids are sorted, so the page is a range).
Status SqliteTxn::LoadTags(const Scope& scope, std::vector<Instance>& instances) {
  if (instances.empty()) return OkStatus();
  Query q{"SELECT resource_id, key, value FROM tags WHERE resource_id BETWEEN ? AND ?"};
  q.Text(instances.front().id);
  q.Text(instances.back().id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  std::unordered_map<std::string_view, Instance*> by_id;
  for (auto& i : instances) by_id.emplace(i.id, &i);
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    auto it = by_id.find(stmt.Text(0));
    if (it != by_id.end()) it->second->tags[stmt.Text(1)] = stmt.Text(2);
  }
  return OkStatus();
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteTxn::CountInstancesByState() {
  STRATO_ASSIGN_OR_RETURN(auto stmt,
                          db_.Prepare("SELECT state, COUNT(*) FROM instances GROUP BY state"));
  return Collect<std::pair<std::string, int64_t>>(
      stmt, [](Statement& s) { return std::make_pair(s.Text(0), s.Int(1)); });
}

Status SqliteTxn::InsertInstance(const Instance& i) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("INSERT INTO instances (") + kInstanceCols +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  BindInstance(s, i);
  STRATO_RETURN_IF_ERROR(s.Run());
  STRATO_RETURN_IF_ERROR(InsertResourceTags(db_, i.tenant_id, i.id, i.tags));
  return OkStatus();
}

Status SqliteTxn::UpdateInstance(const Instance& i) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("UPDATE instances SET tenant_id = ?2, name = ?3, image_id = ?4, "
                          "instance_type = ?5, vcpus = ?6, memory_mib = ?7, zone = ?8, "
                          "zone_requested = ?9, host_id = ?10, state = ?11, state_reason = ?12, "
                          "desired_state = ?13, force_stop = ?14, reboot_generation = ?15, "
                          "placement_policy = ?16, launched_at = ?17, updated_at = ?18, "
                          "terminated_at = ?19, last_host_id = ?20, "
                          "placement_generation = ?21, launch_index = ?22 WHERE id = ?1"));
  BindInstance(s, i);
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidInstanceID.NotFound", "The instance ID '" + i.id + "'");
}

Status SqliteTxn::DeleteInstance(const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(auto tags, db_.Prepare("DELETE FROM tags WHERE resource_id = ?"));
  tags.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(tags.Run());
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM instances WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  return s.Run();
}

Result<int64_t> SqliteTxn::PurgeTerminatedInstances(TimeMs before) {
  STRATO_ASSIGN_OR_RETURN(
      auto tags, db_.Prepare("DELETE FROM tags WHERE resource_id IN (SELECT id FROM instances "
                             "WHERE state = 'terminated' AND terminated_at < ?)"));
  tags.Bind(1, before);
  STRATO_RETURN_IF_ERROR(tags.Run());
  STRATO_ASSIGN_OR_RETURN(
      auto s,
      db_.Prepare("DELETE FROM instances WHERE state = 'terminated' AND terminated_at < ?"));
  s.Bind(1, before);
  STRATO_RETURN_IF_ERROR(s.Run());
  return db_.Changes();
}

// ---- tags ----

Result<std::map<std::string, std::string>> SqliteTxn::GetTags(const Scope& scope,
                                                              const std::string& resource_id) {
  Query q{"SELECT key, value FROM tags WHERE resource_id = ?"};
  q.Text(resource_id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  std::map<std::string, std::string> out;
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out[stmt.Text(0)] = stmt.Text(1);
  }
}

Status SqliteTxn::SetTag(const std::string& tenant_id, const std::string& resource_id,
                         const std::string& key, const std::string& value) {
  return InsertResourceTags(db_, tenant_id, resource_id, {{key, value}});
}

Status SqliteTxn::DeleteTag(const std::string& tenant_id, const std::string& resource_id,
                            const std::string& key) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("DELETE FROM tags WHERE resource_id = ? AND tenant_id = ? AND key = ?"));
  s.Bind(1, std::string_view(resource_id))
      .Bind(2, std::string_view(tenant_id))
      .Bind(3, std::string_view(key));
  return s.Run();
}

// ---- images and key pairs ----

Result<Image> SqliteTxn::GetImage(const Scope& scope, const std::string& id) {
  Query q{std::string("SELECT ") + kImageCols + " FROM images WHERE id = ?"};
  q.Text(id);
  VisibleImagesOnly(q, scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  auto rows = Collect<Image>(stmt, ReadImage);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return NotFound("InvalidAMIID.NotFound", "The image id '" + id + "' does not exist.");
  }
  return std::move(rows->front());
}

Result<std::vector<Image>> SqliteTxn::ListImages(const Scope& scope, const Page& page) {
  Query q{std::string("SELECT ") + kImageCols + " FROM images WHERE 1 = 1"};
  VisibleImagesOnly(q, scope);
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<Image>(stmt, ReadImage);
}

Status SqliteTxn::InsertImage(const Image& i) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO images (") + kImageCols +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(i.id))
      .Bind(2, std::string_view(i.tenant_id))
      .Bind(3, std::string_view(i.name))
      .Bind(4, std::string_view(i.description))
      .Bind(5, i.is_public)
      .Bind(6, std::string_view(i.state))
      .Bind(7, i.created_at);
  return s.Run();
}

Status SqliteTxn::DeleteImage(const std::string& id) {
  // Its launch permissions go with it (trigger image_launch_permissions_go_with_image).
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM images WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(s.Run());
  STRATO_RETURN_IF_ERROR(
      ExpectOneChange(db_, "InvalidAMIID.NotFound", "The image id '" + id + "'"));
  return DeleteResourceTags(db_, id);
}

Status SqliteTxn::SetImageDescription(const std::string& id, const std::string& description) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("UPDATE images SET description = ? WHERE id = ?"));
  s.Bind(1, std::string_view(description)).Bind(2, std::string_view(id));
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidAMIID.NotFound", "The image id '" + id + "'");
}

Status SqliteTxn::SetImagePublic(const std::string& id, bool is_public) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("UPDATE images SET is_public = ? WHERE id = ?"));
  s.Bind(1, is_public).Bind(2, std::string_view(id));
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidAMIID.NotFound", "The image id '" + id + "'");
}

Result<KeyPair> SqliteTxn::GetKeyPair(const Scope& scope, const std::string& name) {
  Query q{std::string("SELECT ") + kKeyPairCols + " FROM key_pairs WHERE name = ?"};
  q.Text(name);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return First(Collect<KeyPair>(stmt, ReadKeyPair), "InvalidKeyPair.NotFound",
               "The key pair '" + name + "'");
}

Result<std::vector<KeyPair>> SqliteTxn::ListKeyPairs(const Scope& scope, const Page& page) {
  Query q{std::string("SELECT ") + kKeyPairCols + " FROM key_pairs WHERE 1 = 1"};
  q.Scoped(scope);
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<KeyPair>(stmt, ReadKeyPair);
}

Status SqliteTxn::InsertKeyPair(const KeyPair& k) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO key_pairs (") +
                                              kKeyPairCols + ") VALUES (?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(k.id))
      .Bind(2, std::string_view(k.tenant_id))
      .Bind(3, std::string_view(k.name))
      .Bind(4, std::string_view(k.public_key))
      .Bind(5, std::string_view(k.fingerprint))
      .Bind(6, k.created_at);
  return s.Run();
}

Status SqliteTxn::DeleteKeyPair(const std::string& tenant_id, const std::string& name) {
  STRATO_ASSIGN_OR_RETURN(auto s,
                          db_.Prepare("DELETE FROM key_pairs WHERE tenant_id = ? AND name = ?"));
  s.Bind(1, std::string_view(tenant_id)).Bind(2, std::string_view(name));
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidKeyPair.NotFound", "The key pair '" + name + "'");
}

// ---- meta ----

Result<std::optional<std::string>> SqliteTxn::GetMeta(const std::string& key) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("SELECT value FROM meta WHERE key = ?"));
  s.Bind(1, std::string_view(key));
  STRATO_ASSIGN_OR_RETURN(bool row, s.Step());
  std::optional<std::string> out;
  if (row) out = s.Text(0);
  sqlite3_reset(s.raw());  // a stepped-but-unreset statement pins the WAL snapshot
  return out;
}

Status SqliteTxn::SetMeta(const std::string& key, const std::string& value) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO meta (key, value) VALUES (?, ?) "
                                              "ON CONFLICT (key) DO UPDATE SET value = "
                                              "excluded.value"));
  s.Bind(1, std::string_view(key)).Bind(2, std::string_view(value));
  return s.Run();
}

}  // namespace strato::sqlite

// SqliteTxn: VPCs, subnets and network interfaces.
#include <tuple>
#include <unordered_map>
#include <variant>

#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_tags.h"
#include "store/sqlite/sqlite_txn.h"  // IWYU pragma: associated

namespace strato::sqlite {
namespace {

// Binds text arguments in order; every query here takes only text and integers.
struct Args {
  std::vector<std::variant<std::string, int64_t>> values;
  void Add(std::string v) { values.emplace_back(std::move(v)); }
  void Add(int64_t v) { values.emplace_back(v); }
  void Bind(Statement& s) const {
    for (size_t i = 0; i < values.size(); ++i) {
      if (const auto* t = std::get_if<std::string>(&values[i])) {
        s.Bind(static_cast<int>(i + 1), std::string_view(*t));
      } else {
        s.Bind(static_cast<int>(i + 1), std::get<int64_t>(values[i]));
      }
    }
  }
};

template <typename T, typename F>
Result<std::vector<T>> Rows(Connection& db, const std::string& sql, const Args& args, F read) {
  STRATO_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
  args.Bind(stmt);
  return CollectRows<T>(stmt, read);
}

void Scoped(const Scope& scope, std::string& sql, Args& args) {
  if (scope.is_system()) return;
  sql += " AND tenant_id = ?";
  args.Add(scope.tenant_id());
}

void Paged(const Page& page, std::string& sql, Args& args) {
  if (!page.after_id.empty()) {
    sql += " AND id > ?";
    args.Add(page.after_id);
  }
  sql += " ORDER BY id LIMIT ?";
  args.Add(int64_t{page.limit});
}

template <typename T>
Result<std::optional<T>> Optional(Result<std::vector<T>> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows->front()));
}

Status Changed(Connection& db, const char* code, const std::string& what) {
  if (db.Changes() == 0) return NotFound(code, what + " does not exist.");
  return OkStatus();
}

constexpr const char* kVpcSelect =
    "SELECT id, tenant_id, cidr, is_default, created_at FROM vpcs WHERE 1 = 1";
Vpc ReadVpc(Statement& s) { return Vpc{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4)}; }

constexpr const char* kSubnetSelect =
    "SELECT id, tenant_id, vpc_id, cidr, is_default, created_at, "
    "(SELECT COUNT(*) FROM network_interfaces n WHERE n.subnet_id = subnets.id), "
    "COALESCE((SELECT map_public_ip_on_launch FROM subnet_settings ss "
    "WHERE ss.subnet_id = subnets.id), 0) "
    "FROM subnets WHERE 1 = 1";
Subnet ReadSubnet(Statement& s) {
  Subnet n{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) != 0, s.Int(5), s.Int(6)};
  n.map_public_ip_on_launch = s.Int(7) != 0;
  return n;
}

constexpr const char* kInterfaceCols =
    "id, tenant_id, instance_id, vpc_id, subnet_id, private_ip, ip_num, mac, created_at";
constexpr const char* kInterfaceSelect =
    "SELECT id, tenant_id, instance_id, vpc_id, subnet_id, private_ip, ip_num, mac, created_at, "
    "(SELECT cidr FROM subnets s WHERE s.id = subnet_id) FROM network_interfaces";
NetworkInterface ReadInterface(Statement& s) {
  return NetworkInterface{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4),
                          s.Text(5), s.Int(6),  s.Text(7), s.Int(8), s.Text(9)};
}

}  // namespace

Result<Vpc> SqliteTxn::GetVpc(const Scope& scope, const std::string& id) {
  std::string sql = std::string(kVpcSelect) + " AND id = ?";
  Args a;
  a.Add(id);
  Scoped(scope, sql, a);
  STRATO_ASSIGN_OR_RETURN(auto rows, Rows<Vpc>(db_, sql, a, ReadVpc));
  if (rows.empty()) return NotFound("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist.");
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return std::move(rows.front());
}

Result<std::vector<Vpc>> SqliteTxn::ListVpcs(const Scope& scope, const Page& page) {
  std::string sql = kVpcSelect;
  Args a;
  Scoped(scope, sql, a);
  Paged(page, sql, a);
  STRATO_ASSIGN_OR_RETURN(auto rows, Rows<Vpc>(db_, sql, a, ReadVpc));
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return rows;
}

Result<std::optional<Vpc>> SqliteTxn::GetDefaultVpc(const std::string& tenant_id) {
  Args a;
  a.Add(tenant_id);
  return Optional(Rows<Vpc>(db_, std::string(kVpcSelect) + " AND tenant_id = ? AND is_default = 1",
                            a, ReadVpc));
}

Result<Subnet> SqliteTxn::GetSubnet(const Scope& scope, const std::string& id) {
  std::string sql = std::string(kSubnetSelect) + " AND id = ?";
  Args a;
  a.Add(id);
  Scoped(scope, sql, a);
  STRATO_ASSIGN_OR_RETURN(auto rows, Rows<Subnet>(db_, sql, a, ReadSubnet));
  if (rows.empty()) {
    return NotFound("InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist.");
  }
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return std::move(rows.front());
}

Result<std::vector<Subnet>> SqliteTxn::ListSubnets(const Scope& scope, const SubnetFilter& filter,
                                                   const Page& page) {
  std::string sql = kSubnetSelect;
  Args a;
  Scoped(scope, sql, a);
  if (filter.vpc_id) {
    sql += " AND vpc_id = ?";
    a.Add(*filter.vpc_id);
  }
  Paged(page, sql, a);
  STRATO_ASSIGN_OR_RETURN(auto rows, Rows<Subnet>(db_, sql, a, ReadSubnet));
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return rows;
}

Result<std::optional<Subnet>> SqliteTxn::GetDefaultSubnet(const std::string& tenant_id) {
  Args a;
  a.Add(tenant_id);
  return Optional(Rows<Subnet>(
      db_, std::string(kSubnetSelect) + " AND tenant_id = ? AND is_default = 1", a, ReadSubnet));
}

Result<std::vector<NetworkInterface>> SqliteTxn::ListNetworkInterfaces(
    const NetworkInterfaceFilter& f) {
  std::string sql =
      std::string(kInterfaceSelect) + " WHERE 1 = 1";
  Args a;
  if (f.subnet_id) {
    sql += " AND subnet_id = ?";
    a.Add(*f.subnet_id);
  }
  if (f.vpc_id) {
    sql += " AND vpc_id = ?";
    a.Add(*f.vpc_id);
  }
  if (f.ip_num) {
    sql += " AND ip_num = ?";
    a.Add(*f.ip_num);
  }
  if (f.mac) {
    sql += " AND mac = ?";
    a.Add(*f.mac);
  }
  if (f.host_id) {
    sql += " AND instance_id IN (SELECT id FROM instances WHERE host_id = ?)";
    a.Add(*f.host_id);
  }
  sql += " ORDER BY subnet_id, ip_num";
  return Rows<NetworkInterface>(db_, sql, a, ReadInterface);
}

Result<std::optional<int64_t>> SqliteTxn::MaxAddressInSubnet(const std::string& subnet_id) {
  Args a;
  a.Add(subnet_id);
  // ORDER BY … LIMIT 1 walks the (subnet_id, ip_num) index backwards: no scan.
  return Optional(Rows<int64_t>(db_,
                                "SELECT ip_num FROM network_interfaces WHERE subnet_id = ? "
                                "ORDER BY ip_num DESC LIMIT 1",
                                a, [](Statement& s) { return s.Int(0); }));
}

// One range query for a whole page (ids are sorted, so the page is a range).
Status SqliteTxn::LoadInterfaces(std::vector<Instance>& instances) {
  if (instances.empty()) return OkStatus();
  Args a;
  a.Add(instances.front().id);
  a.Add(instances.back().id);
  STRATO_ASSIGN_OR_RETURN(
      auto rows, Rows<NetworkInterface>(db_,
                                        std::string(kInterfaceSelect) + " WHERE instance_id BETWEEN "
                                            "? AND ? ORDER BY instance_id, id",
                                        a, ReadInterface));
  std::unordered_map<std::string_view, Instance*> by_id;
  for (auto& i : instances) by_id.emplace(i.id, &i);
  for (auto& n : rows) {
    auto it = by_id.find(n.instance_id);
    if (it != by_id.end()) it->second->interfaces.push_back(std::move(n));
  }
  // Their security groups and elastic IPs, by the same range.
  using GroupRow = std::tuple<std::string, std::string, std::string>;
  STRATO_ASSIGN_OR_RETURN(
      auto groups,
      Rows<GroupRow>(db_,
                     "SELECT m.instance_id, m.group_id, g.name FROM instance_security_groups m "
                     "JOIN security_groups g ON g.id = m.group_id "
                     "WHERE m.instance_id BETWEEN ? AND ? ORDER BY m.instance_id, m.position",
                     a, [](Statement& s) { return GroupRow{s.Text(0), s.Text(1), s.Text(2)}; }));
  for (auto& [instance_id, group_id, name] : groups) {
    auto it = by_id.find(instance_id);
    if (it != by_id.end()) it->second->security_groups.push_back({group_id, name});
  }
  using AddressRow = std::pair<std::string, std::string>;
  STRATO_ASSIGN_OR_RETURN(
      auto addresses,
      Rows<AddressRow>(db_,
                       "SELECT instance_id, public_ip FROM addresses "
                       "WHERE instance_id BETWEEN ? AND ?",
                       a, [](Statement& s) { return AddressRow{s.Text(0), s.Text(1)}; }));
  for (auto& [instance_id, public_ip] : addresses) {
    auto it = by_id.find(instance_id);
    if (it != by_id.end()) it->second->public_ip = public_ip;
  }
  return OkStatus();
}

Status SqliteTxn::InsertVpc(const Vpc& v) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO vpcs (id, tenant_id, cidr, is_default, "
                                              "created_at) VALUES (?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(v.id))
      .Bind(2, std::string_view(v.tenant_id))
      .Bind(3, std::string_view(v.cidr))
      .Bind(4, v.is_default)
      .Bind(5, v.created_at);
  STRATO_RETURN_IF_ERROR(s.Run());
  return InsertResourceTags(db_, v.tenant_id, v.id, v.tags);
}

Status SqliteTxn::DeleteVpc(const std::string& id) {
  STRATO_RETURN_IF_ERROR(DeleteResourceTags(db_, id));
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM vpcs WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(s.Run());
  return Changed(db_, "InvalidVpcID.NotFound", "The vpc ID '" + id + "'");
}

Status SqliteTxn::InsertSubnet(const Subnet& n) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT INTO subnets (id, tenant_id, vpc_id, cidr, "
                                              "is_default, created_at) VALUES (?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(n.id))
      .Bind(2, std::string_view(n.tenant_id))
      .Bind(3, std::string_view(n.vpc_id))
      .Bind(4, std::string_view(n.cidr))
      .Bind(5, n.is_default)
      .Bind(6, n.created_at);
  STRATO_RETURN_IF_ERROR(s.Run());
  return InsertResourceTags(db_, n.tenant_id, n.id, n.tags);
}

Status SqliteTxn::DeleteSubnet(const std::string& id) {
  STRATO_RETURN_IF_ERROR(DeleteResourceTags(db_, id));
  STRATO_ASSIGN_OR_RETURN(auto settings,
                          db_.Prepare("DELETE FROM subnet_settings WHERE subnet_id = ?"));
  settings.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(settings.Run());
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM subnets WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(s.Run());
  return Changed(db_, "InvalidSubnetID.NotFound", "The subnet ID '" + id + "'");
}

Status SqliteTxn::InsertNetworkInterface(const NetworkInterface& n) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("INSERT INTO network_interfaces (") + kInterfaceCols +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(n.id))
      .Bind(2, std::string_view(n.tenant_id))
      .Bind(3, std::string_view(n.instance_id))
      .Bind(4, std::string_view(n.vpc_id))
      .Bind(5, std::string_view(n.subnet_id))
      .Bind(6, std::string_view(n.private_ip))
      .Bind(7, n.ip_num)
      .Bind(8, std::string_view(n.mac))
      .Bind(9, n.created_at);
  return s.Run();
}

}  // namespace strato::sqlite

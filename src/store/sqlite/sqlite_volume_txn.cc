// SqliteTxn's block-storage queries: volumes, snapshots, blobs.
#include <string>

#include "store/sqlite/sqlite_tags.h"
#include "store/sqlite/sqlite_txn.h"

namespace strato::sqlite {
namespace {

// Positional binds collected while a query is assembled.
struct Query {
  std::string sql;
  std::vector<std::pair<bool, std::string>> args;  // (is_int, value)
  void Text(std::string v) { args.emplace_back(false, std::move(v)); }
  void Int(int64_t v) { args.emplace_back(true, std::to_string(v)); }
  void Scoped(const Scope& scope) {
    if (scope.is_system()) return;
    sql += " AND tenant_id = ?";
    Text(scope.tenant_id());
  }
  // A tenant's volumes: instance-store root devices are their instance's, not volumes.
  void ScopedVolumes(const Scope& scope) {
    if (scope.is_system()) return;
    Scoped(scope);
    sql += " AND id NOT IN (SELECT volume_id FROM root_volumes WHERE instance_store = 1)";
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
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].first) {
        stmt.Bind(static_cast<int>(i + 1), static_cast<int64_t>(std::stoll(args[i].second)));
      } else {
        stmt.Bind(static_cast<int>(i + 1), std::string_view(args[i].second));
      }
    }
    return stmt;
  }
};

template <typename T, typename F>
Result<std::vector<T>> Collect(Statement stmt, F read) {
  std::vector<T> out;
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back(read(stmt));
  }
}

Status ExpectOneChange(Connection& db, const char* code, const std::string& what) {
  if (db.Changes() == 0) return NotFound(code, what + " does not exist.");
  return OkStatus();
}

constexpr const char* kVolumeCols =
    "id, tenant_id, zone, volume_type, size_gib, iops, throughput_mibps, snapshot_id, state, "
    "state_reason, blob_id, applied_size_gib, instance_id, device, attach_state, force_detach, "
    "attached_at, created_at, updated_at, delete_on_termination";
// Read after kVolumeCols: whether the volume is an instance-store root device (derived).
constexpr const char* kInstanceStoreCol =
    ", EXISTS (SELECT 1 FROM root_volumes r WHERE r.volume_id = volumes.id AND "
    "r.instance_store = 1)";
std::string SelectVolumes() {
  return std::string("SELECT ") + kVolumeCols + kInstanceStoreCol + " FROM volumes";
}
Volume ReadVolume(Statement& s) {
  Volume v;
  v.id = s.Text(0);
  v.tenant_id = s.Text(1);
  v.zone = s.Text(2);
  v.volume_type = s.Text(3);
  v.size_gib = s.Int(4);
  v.iops = s.Int(5);
  v.throughput_mibps = s.Int(6);
  v.snapshot_id = s.Text(7);
  v.state = ParseVolumeState(s.Text(8)).value_or(VolumeState::kError);
  v.state_reason = s.Text(9);
  v.blob_id = s.Text(10);
  v.applied_size_gib = s.Int(11);
  v.instance_id = s.Text(12);
  v.device = s.Text(13);
  v.attach_state = ParseAttachState(s.Text(14)).value_or(AttachState::kDetached);
  v.force_detach = s.Int(15) != 0;
  v.attached_at = s.Int(16);
  v.created_at = s.Int(17);
  v.updated_at = s.Int(18);
  v.delete_on_termination = s.Int(19) != 0;
  v.instance_store_root = s.Int(20) != 0;
  return v;
}
void BindVolume(Statement& s, const Volume& v) {
  s.Bind(1, std::string_view(v.id))
      .Bind(2, std::string_view(v.tenant_id))
      .Bind(3, std::string_view(v.zone))
      .Bind(4, std::string_view(v.volume_type))
      .Bind(5, v.size_gib)
      .Bind(6, v.iops)
      .Bind(7, v.throughput_mibps)
      .Bind(8, std::string_view(v.snapshot_id))
      .Bind(9, std::string_view(ToString(v.state)))
      .Bind(10, std::string_view(v.state_reason))
      .Bind(11, std::string_view(v.blob_id))
      .Bind(12, v.applied_size_gib)
      .Bind(13, std::string_view(v.instance_id))
      .Bind(14, std::string_view(v.device))
      .Bind(15, std::string_view(ToString(v.attach_state)))
      .Bind(16, v.force_detach)
      .Bind(17, v.attached_at)
      .Bind(18, v.created_at)
      .Bind(19, v.updated_at)
      .Bind(20, v.delete_on_termination);
}

constexpr const char* kSnapshotCols =
    "id, tenant_id, volume_id, volume_size_gib, description, state, state_reason, progress, "
    "blob_id, pending_blob_id, created_at, updated_at";
Snapshot ReadSnapshot(Statement& s) {
  Snapshot n;
  n.id = s.Text(0);
  n.tenant_id = s.Text(1);
  n.volume_id = s.Text(2);
  n.volume_size_gib = s.Int(3);
  n.description = s.Text(4);
  n.state = ParseSnapshotState(s.Text(5)).value_or(SnapshotState::kError);
  n.state_reason = s.Text(6);
  n.progress = static_cast<int>(s.Int(7));
  n.blob_id = s.Text(8);
  n.pending_blob_id = s.Text(9);
  n.created_at = s.Int(10);
  n.updated_at = s.Int(11);
  return n;
}
void BindSnapshot(Statement& s, const Snapshot& n) {
  s.Bind(1, std::string_view(n.id))
      .Bind(2, std::string_view(n.tenant_id))
      .Bind(3, std::string_view(n.volume_id))
      .Bind(4, n.volume_size_gib)
      .Bind(5, std::string_view(n.description))
      .Bind(6, std::string_view(ToString(n.state)))
      .Bind(7, std::string_view(n.state_reason))
      .Bind(8, n.progress)
      .Bind(9, std::string_view(n.blob_id))
      .Bind(10, std::string_view(n.pending_blob_id))
      .Bind(11, n.created_at)
      .Bind(12, n.updated_at);
}

constexpr const char* kModificationCols =
    "volume_id, tenant_id, state, status_message, original_size_gib, original_volume_type, "
    "original_iops, original_throughput_mibps, target_size_gib, target_volume_type, "
    "target_iops, target_throughput_mibps, progress, start_time, end_time";
VolumeModification ReadModification(Statement& s) {
  VolumeModification m;
  m.volume_id = s.Text(0);
  m.tenant_id = s.Text(1);
  m.state = ParseModificationState(s.Text(2)).value_or(ModificationState::kFailed);
  m.status_message = s.Text(3);
  m.original_size_gib = s.Int(4);
  m.original_volume_type = s.Text(5);
  m.original_iops = s.Int(6);
  m.original_throughput_mibps = s.Int(7);
  m.target_size_gib = s.Int(8);
  m.target_volume_type = s.Text(9);
  m.target_iops = s.Int(10);
  m.target_throughput_mibps = s.Int(11);
  m.progress = static_cast<int>(s.Int(12));
  m.start_time = s.Int(13);
  m.end_time = s.Int(14);
  return m;
}

constexpr const char* kBlobCols = "id, backing_id, size_bytes, state, state_reason, created_at";
Blob ReadBlob(Statement& s) {
  Blob b;
  b.id = s.Text(0);
  b.backing_id = s.Text(1);
  b.size_bytes = s.Int(2);
  b.state = ParseBlobState(s.Text(3)).value_or(BlobState::kError);
  b.state_reason = s.Text(4);
  b.created_at = s.Int(5);
  return b;
}
void BindBlob(Statement& s, const Blob& b) {
  s.Bind(1, std::string_view(b.id))
      .Bind(2, std::string_view(b.backing_id))
      .Bind(3, b.size_bytes)
      .Bind(4, std::string_view(ToString(b.state)))
      .Bind(5, std::string_view(b.state_reason))
      .Bind(6, b.created_at);
}

}  // namespace

// ---- volumes ----

Result<Volume> SqliteTxn::GetVolume(const Scope& scope, const std::string& id) {
  Query q{SelectVolumes() + " WHERE id = ?"};
  q.Text(id);
  q.ScopedVolumes(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  STRATO_ASSIGN_OR_RETURN(auto rows, Collect<Volume>(stmt, ReadVolume));
  if (rows.empty()) {
    return NotFound("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
  }
  STRATO_ASSIGN_OR_RETURN(rows.front().tags, GetTags(scope, id));
  return std::move(rows.front());
}

Result<std::vector<Volume>> SqliteTxn::ListVolumes(const Scope& scope, const VolumeFilter& f,
                                                   const Page& page) {
  Query q{SelectVolumes() + " WHERE 1 = 1"};
  q.ScopedVolumes(scope);
  if (f.state) {
    q.sql += " AND state = ?";
    q.Text(ToString(*f.state));
  }
  if (f.instance_id) {
    q.sql += " AND instance_id = ?";
    q.Text(*f.instance_id);
  }
  if (!f.instance_ids.empty()) {
    q.sql += " AND instance_id IN (";
    for (size_t i = 0; i < f.instance_ids.size(); ++i) {
      q.sql += i ? ", ?" : "?";
      q.Text(f.instance_ids[i]);
    }
    q.sql += ")";
  }
  if (f.zone) {
    q.sql += " AND zone = ?";
    q.Text(*f.zone);
  }
  if (f.blob_id) {
    q.sql += " AND blob_id = ?";
    q.Text(*f.blob_id);
  }
  if (f.needs_work) {
    q.sql += " AND (state IN ('creating', 'deleting') OR attach_state IN ('attaching', "
             "'detaching') OR (instance_id <> '' AND attach_state = 'attached') OR "
             "size_gib <> applied_size_gib)";
  }
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  STRATO_ASSIGN_OR_RETURN(auto rows, Collect<Volume>(stmt, ReadVolume));
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return rows;
}

Status SqliteTxn::InsertVolume(const Volume& v) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO volumes (") + kVolumeCols +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                              "?, ?, ?, ?, ?, ?, ?)"));
  BindVolume(s, v);
  STRATO_RETURN_IF_ERROR(s.Run());
  STRATO_RETURN_IF_ERROR(InsertResourceTags(db_, v.tenant_id, v.id, v.tags));
  return OkStatus();
}

Status SqliteTxn::UpdateVolume(const Volume& v) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("UPDATE volumes SET tenant_id = ?2, zone = ?3, volume_type = ?4, "
                          "size_gib = ?5, iops = ?6, throughput_mibps = ?7, snapshot_id = ?8, "
                          "state = ?9, state_reason = ?10, blob_id = ?11, applied_size_gib = ?12, "
                          "instance_id = ?13, device = ?14, attach_state = ?15, "
                          "force_detach = ?16, attached_at = ?17, created_at = ?18, "
                          "updated_at = ?19, delete_on_termination = ?20 WHERE id = ?1"));
  BindVolume(s, v);
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidVolume.NotFound", "The volume '" + v.id + "'");
}

Status SqliteTxn::DeleteVolume(const std::string& id) {
  STRATO_RETURN_IF_ERROR(DeleteResourceTags(db_, id));
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM volumes WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  return s.Run();
}

// ---- volume modifications ----

Result<std::vector<VolumeModification>> SqliteTxn::ListVolumeModifications(
    const Scope& scope, const std::vector<std::string>& volume_ids, const Page& page) {
  Query q{std::string("SELECT ") + kModificationCols + " FROM volume_modifications WHERE 1 = 1"};
  q.Scoped(scope);
  if (!volume_ids.empty()) {
    q.sql += " AND volume_id IN (";
    for (size_t i = 0; i < volume_ids.size(); ++i) {
      q.sql += i ? ", ?" : "?";
      q.Text(volume_ids[i]);
    }
    q.sql += ")";
  }
  if (!page.after_id.empty()) {
    q.sql += " AND volume_id > ?";
    q.Text(page.after_id);
  }
  q.sql += " ORDER BY volume_id LIMIT ?";
  q.Int(page.limit);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<VolumeModification>(stmt, ReadModification);
}

Status SqliteTxn::PutVolumeModification(const VolumeModification& m) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT OR REPLACE INTO "
                                                          "volume_modifications (") +
                                              kModificationCols +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                              "?, ?)"));
  s.Bind(1, std::string_view(m.volume_id))
      .Bind(2, std::string_view(m.tenant_id))
      .Bind(3, std::string_view(ToString(m.state)))
      .Bind(4, std::string_view(m.status_message))
      .Bind(5, m.original_size_gib)
      .Bind(6, std::string_view(m.original_volume_type))
      .Bind(7, m.original_iops)
      .Bind(8, m.original_throughput_mibps)
      .Bind(9, m.target_size_gib)
      .Bind(10, std::string_view(m.target_volume_type))
      .Bind(11, m.target_iops)
      .Bind(12, m.target_throughput_mibps)
      .Bind(13, static_cast<int64_t>(m.progress))
      .Bind(14, m.start_time)
      .Bind(15, m.end_time);
  return s.Run();
}

// ---- snapshots ----

Result<Snapshot> SqliteTxn::GetSnapshot(const Scope& scope, const std::string& id) {
  Query q{std::string("SELECT ") + kSnapshotCols + " FROM snapshots WHERE id = ?"};
  q.Text(id);
  q.Scoped(scope);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  STRATO_ASSIGN_OR_RETURN(auto rows, Collect<Snapshot>(stmt, ReadSnapshot));
  if (rows.empty()) {
    return NotFound("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
  }
  STRATO_ASSIGN_OR_RETURN(rows.front().tags, GetTags(scope, id));
  return std::move(rows.front());
}

Result<std::vector<Snapshot>> SqliteTxn::ListSnapshots(const Scope& scope,
                                                       const SnapshotFilter& f,
                                                       const Page& page) {
  Query q{std::string("SELECT ") + kSnapshotCols + " FROM snapshots WHERE 1 = 1"};
  q.Scoped(scope);
  if (f.volume_id) {
    q.sql += " AND volume_id = ?";
    q.Text(*f.volume_id);
  }
  if (f.state) {
    q.sql += " AND state = ?";
    q.Text(ToString(*f.state));
  }
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  STRATO_ASSIGN_OR_RETURN(auto rows, Collect<Snapshot>(stmt, ReadSnapshot));
  STRATO_RETURN_IF_ERROR(LoadResourceTags(db_, rows));
  return rows;
}

Status SqliteTxn::InsertSnapshot(const Snapshot& n) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO snapshots (") +
                                              kSnapshotCols +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  BindSnapshot(s, n);
  STRATO_RETURN_IF_ERROR(s.Run());
  STRATO_RETURN_IF_ERROR(InsertResourceTags(db_, n.tenant_id, n.id, n.tags));
  return OkStatus();
}

Status SqliteTxn::UpdateSnapshot(const Snapshot& n) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare("UPDATE snapshots SET tenant_id = ?2, volume_id = ?3, "
                          "volume_size_gib = ?4, description = ?5, state = ?6, "
                          "state_reason = ?7, progress = ?8, blob_id = ?9, pending_blob_id = ?10, "
                          "created_at = ?11, updated_at = ?12 WHERE id = ?1"));
  BindSnapshot(s, n);
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidSnapshot.NotFound", "The snapshot '" + n.id + "'");
}

Status SqliteTxn::DeleteSnapshot(const std::string& id) {
  STRATO_RETURN_IF_ERROR(DeleteResourceTags(db_, id));
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM snapshots WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  return s.Run();
}

// ---- blobs ----

Result<Blob> SqliteTxn::GetBlob(const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(
      auto stmt, db_.Prepare(std::string("SELECT ") + kBlobCols + " FROM blobs WHERE id = ?"));
  stmt.Bind(1, std::string_view(id));
  STRATO_ASSIGN_OR_RETURN(auto rows, Collect<Blob>(stmt, ReadBlob));
  if (rows.empty()) return NotFound("InvalidBlob.NotFound", "The blob '" + id + "' does not exist.");
  return std::move(rows.front());
}

Result<std::vector<Blob>> SqliteTxn::ListBlobs(std::optional<BlobState> state, const Page& page) {
  Query q{std::string("SELECT ") + kBlobCols + " FROM blobs WHERE 1 = 1"};
  if (state) {
    q.sql += " AND state = ?";
    q.Text(ToString(*state));
  }
  q.Paged(page);
  STRATO_ASSIGN_OR_RETURN(auto stmt, q.Prepare(db_));
  return Collect<Blob>(stmt, ReadBlob);
}

Result<std::vector<Blob>> SqliteTxn::ListUnreferencedBlobs(int limit) {
  STRATO_ASSIGN_OR_RETURN(
      auto stmt,
      db_.Prepare(std::string("SELECT ") + kBlobCols +
                  " FROM blobs b WHERE b.state IN ('ready', 'error')"
                  " AND NOT EXISTS (SELECT 1 FROM volumes v WHERE v.blob_id = b.id)"
                  " AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.blob_id = b.id"
                  "                 OR s.pending_blob_id = b.id)"
                  " AND NOT EXISTS (SELECT 1 FROM blobs c WHERE c.backing_id = b.id)"
                  " AND NOT EXISTS (SELECT 1 FROM image_data i WHERE i.blob_id = b.id)"
                  " ORDER BY b.id LIMIT ?"));
  stmt.Bind(1, static_cast<int64_t>(limit));
  return Collect<Blob>(stmt, ReadBlob);
}

Status SqliteTxn::InsertBlob(const Blob& b) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO blobs (") + kBlobCols +
                                              ") VALUES (?, ?, ?, ?, ?, ?)"));
  BindBlob(s, b);
  return s.Run();
}

Status SqliteTxn::UpdateBlob(const Blob& b) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("UPDATE blobs SET backing_id = ?2, size_bytes = ?3, "
                                              "state = ?4, state_reason = ?5, created_at = ?6 "
                                              "WHERE id = ?1"));
  BindBlob(s, b);
  STRATO_RETURN_IF_ERROR(s.Run());
  return ExpectOneChange(db_, "InvalidBlob.NotFound", "The blob '" + b.id + "'");
}

Status SqliteTxn::DeleteBlob(const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM blobs WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  return s.Run();
}

}  // namespace strato::sqlite

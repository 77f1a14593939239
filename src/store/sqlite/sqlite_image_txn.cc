// SqliteTxn's image-disk, launch-permission and root-volume queries.
#include <string>

#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_txn.h"

namespace strato::sqlite {
namespace {

constexpr const char* kImageDataCols =
    "image_id, blob_id, snapshot_id, state, state_reason, source_format, compression, "
    "spool_path, uploaded_bytes, virtual_size, stored_bytes, sha256, created_at";

ImageData ReadImageData(Statement& s) {
  ImageData d;
  d.image_id = s.Text(0);
  d.blob_id = s.Text(1);
  d.snapshot_id = s.Text(2);
  d.state = ParseImageDataState(s.Text(3)).value_or(ImageDataState::kFailed);
  d.state_reason = s.Text(4);
  d.source_format = s.Text(5);
  d.compression = s.Text(6);
  d.spool_path = s.Text(7);
  d.uploaded_bytes = s.Int(8);
  d.virtual_size = s.Int(9);
  d.stored_bytes = s.Int(10);
  d.sha256 = s.Text(11);
  d.created_at = s.Int(12);
  return d;
}

constexpr const char* kRootCols = "volume_id, instance_id, instance_store";

RootVolume ReadRoot(Statement& s) { return RootVolume{s.Text(0), s.Text(1), s.Int(2) != 0}; }

// The root_volumes row whose `column` ("volume_id" or "instance_id") is `value`, if any.
Result<std::optional<RootVolume>> FirstRoot(Connection& db, const char* column,
                                            const std::string& value) {
  STRATO_ASSIGN_OR_RETURN(auto stmt, db.Prepare(std::string("SELECT ") + kRootCols +
                                                " FROM root_volumes WHERE " + column + " = ?"));
  stmt.Bind(1, std::string_view(value));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<RootVolume>(stmt, ReadRoot));
  if (rows.empty()) return std::optional<RootVolume>();
  return std::optional<RootVolume>(rows.front());
}

}  // namespace

Result<ImageData> SqliteTxn::GetImageData(const std::string& image_id) {
  STRATO_ASSIGN_OR_RETURN(auto stmt, db_.Prepare(std::string("SELECT ") + kImageDataCols +
                                                 " FROM image_data WHERE image_id = ?"));
  stmt.Bind(1, std::string_view(image_id));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<ImageData>(stmt, ReadImageData));
  if (rows.empty()) {
    return NotFound("InvalidAMIID.NotFound", "The image '" + image_id + "' has no disk.");
  }
  return std::move(rows.front());
}

Result<std::vector<ImageData>> SqliteTxn::ListImageData(std::optional<ImageDataState> state,
                                                        int limit) {
  std::string sql = std::string("SELECT ") + kImageDataCols + " FROM image_data";
  if (state) sql += " WHERE state = ?2";
  sql += " ORDER BY image_id LIMIT ?1";
  STRATO_ASSIGN_OR_RETURN(auto stmt, db_.Prepare(sql));
  stmt.Bind(1, static_cast<int64_t>(limit));
  if (state) stmt.Bind(2, std::string_view(ToString(*state)));
  return CollectRows<ImageData>(stmt, ReadImageData);
}

Status SqliteTxn::PutImageData(const ImageData& d) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT OR REPLACE INTO image_data (") +
                                              kImageDataCols +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(d.image_id))
      .Bind(2, std::string_view(d.blob_id))
      .Bind(3, std::string_view(d.snapshot_id))
      .Bind(4, std::string_view(ToString(d.state)))
      .Bind(5, std::string_view(d.state_reason))
      .Bind(6, std::string_view(d.source_format))
      .Bind(7, std::string_view(d.compression))
      .Bind(8, std::string_view(d.spool_path))
      .Bind(9, d.uploaded_bytes)
      .Bind(10, d.virtual_size)
      .Bind(11, d.stored_bytes)
      .Bind(12, std::string_view(d.sha256))
      .Bind(13, d.created_at);
  return s.Run();
}

Status SqliteTxn::DeleteImageData(const std::string& image_id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM image_data WHERE image_id = ?"));
  s.Bind(1, std::string_view(image_id));
  return s.Run();
}

Result<std::optional<RootVolume>> SqliteTxn::GetRootVolumeOf(const std::string& instance_id) {
  return FirstRoot(db_, "instance_id", instance_id);
}

Result<std::optional<RootVolume>> SqliteTxn::GetRootVolume(const std::string& volume_id) {
  return FirstRoot(db_, "volume_id", volume_id);
}

Status SqliteTxn::PutRootVolume(const RootVolume& r) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT OR REPLACE INTO root_volumes (") +
                                              kRootCols + ") VALUES (?, ?, ?)"));
  s.Bind(1, std::string_view(r.volume_id))
      .Bind(2, std::string_view(r.instance_id))
      .Bind(3, r.instance_store);
  return s.Run();
}

Status SqliteTxn::DeleteRootVolume(const std::string& volume_id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM root_volumes WHERE volume_id = ?"));
  s.Bind(1, std::string_view(volume_id));
  return s.Run();
}

// ---- launch permissions ----

Result<std::vector<std::string>> SqliteTxn::ListLaunchPermissions(const std::string& image_id) {
  STRATO_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT tenant_id FROM image_launch_permissions "
                                                 "WHERE image_id = ? ORDER BY tenant_id"));
  stmt.Bind(1, std::string_view(image_id));
  return CollectRows<std::string>(stmt, [](Statement& s) { return s.Text(0); });
}

Result<bool> SqliteTxn::HasLaunchPermission(const std::string& image_id,
                                            const std::string& tenant_id) {
  STRATO_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT tenant_id FROM image_launch_permissions "
                                                 "WHERE image_id = ? AND tenant_id = ?"));
  stmt.Bind(1, std::string_view(image_id)).Bind(2, std::string_view(tenant_id));
  STRATO_ASSIGN_OR_RETURN(auto rows,
                          CollectRows<std::string>(stmt, [](Statement& s) { return s.Text(0); }));
  return !rows.empty();
}

Status SqliteTxn::AddLaunchPermission(const std::string& image_id, const std::string& tenant_id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("INSERT OR IGNORE INTO image_launch_permissions "
                                              "(image_id, tenant_id) VALUES (?, ?)"));
  s.Bind(1, std::string_view(image_id)).Bind(2, std::string_view(tenant_id));
  return s.Run();
}

Status SqliteTxn::RemoveLaunchPermission(const std::string& image_id,
                                         const std::string& tenant_id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM image_launch_permissions "
                                              "WHERE image_id = ? AND tenant_id = ?"));
  s.Bind(1, std::string_view(image_id)).Bind(2, std::string_view(tenant_id));
  return s.Run();
}

}  // namespace strato::sqlite

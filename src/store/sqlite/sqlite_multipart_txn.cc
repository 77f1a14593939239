// SqliteTxn: S3 multipart uploads and their parts.
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_txn.h"

namespace strato::sqlite {
namespace {

constexpr const char* kUploadCols =
    "id, bucket, key, content_type, user_metadata, created_at, checksum_algorithm, headers";
constexpr const char* kPartCols =
    "upload_id, part_number, size, etag, data_file, created_at, checksum";

MultipartUpload ReadUpload(Statement& s) {
  return MultipartUpload{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5),
                         s.Text(6), s.Text(7)};
}

UploadPart ReadPart(Statement& s) {
  return UploadPart{s.Text(0), static_cast<int>(s.Int(1)), s.Int(2), s.Text(3), s.Text(4),
                    s.Int(5), s.Text(6)};
}

}  // namespace

Result<MultipartUpload> SqliteTxn::GetUpload(const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("SELECT ") + kUploadCols +
                                              " FROM multipart_uploads WHERE id = ?"));
  s.Bind(1, std::string_view(id));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<MultipartUpload>(s, ReadUpload));
  if (rows.empty()) {
    return NotFound("NoSuchUpload",
                    "The specified upload does not exist. The upload ID may be invalid, or the "
                    "upload may have been aborted or completed.");
  }
  return rows.front();
}

Result<std::vector<MultipartUpload>> SqliteTxn::ListUploads(const std::string& bucket,
                                                            const std::string& prefix,
                                                            const std::string& after_key,
                                                            const std::string& after_id,
                                                            int limit) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("SELECT ") + kUploadCols +
                          " FROM multipart_uploads WHERE bucket = ? AND substr(key, 1, ?) = ? "
                          "AND (key > ? OR (key = ? AND id > ?)) ORDER BY key, id LIMIT ?"));
  s.Bind(1, std::string_view(bucket))
      .Bind(2, static_cast<int64_t>(prefix.size()))
      .Bind(3, std::string_view(prefix))
      .Bind(4, std::string_view(after_key))
      .Bind(5, std::string_view(after_key))
      .Bind(6, std::string_view(after_id))
      .Bind(7, limit);
  return CollectRows<MultipartUpload>(s, ReadUpload);
}

Result<std::vector<UploadPart>> SqliteTxn::ListParts(const std::string& upload_id, int after,
                                                     int limit) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("SELECT ") + kPartCols +
                          " FROM multipart_parts WHERE upload_id = ? AND part_number > ? "
                          "ORDER BY part_number LIMIT ?"));
  s.Bind(1, std::string_view(upload_id)).Bind(2, after).Bind(3, limit);
  return CollectRows<UploadPart>(s, ReadPart);
}

Status SqliteTxn::InsertUpload(const MultipartUpload& u) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO multipart_uploads (") +
                                              kUploadCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(u.id))
      .Bind(2, std::string_view(u.bucket))
      .Bind(3, std::string_view(u.key))
      .Bind(4, std::string_view(u.content_type))
      .Bind(5, std::string_view(u.user_metadata))
      .Bind(6, u.created_at)
      .Bind(7, std::string_view(u.checksum_algorithm))
      .Bind(8, std::string_view(u.headers));
  return s.Run();
}

Result<std::vector<std::string>> SqliteTxn::DeleteUpload(const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(auto parts, ListParts(id, 0, 100000));
  STRATO_ASSIGN_OR_RETURN(auto del_parts,
                          db_.Prepare("DELETE FROM multipart_parts WHERE upload_id = ?"));
  del_parts.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(del_parts.Run());
  STRATO_ASSIGN_OR_RETURN(auto del, db_.Prepare("DELETE FROM multipart_uploads WHERE id = ?"));
  del.Bind(1, std::string_view(id));
  STRATO_RETURN_IF_ERROR(del.Run());
  if (db_.Changes() == 0) return GetUpload(id).status();  // NoSuchUpload
  std::vector<std::string> files;
  for (const auto& p : parts) files.push_back(p.data_file);
  return files;
}

Result<std::string> SqliteTxn::PutPart(const UploadPart& p) {
  STRATO_ASSIGN_OR_RETURN(auto old, db_.Prepare("SELECT data_file FROM multipart_parts WHERE "
                                                "upload_id = ? AND part_number = ?"));
  old.Bind(1, std::string_view(p.upload_id)).Bind(2, p.part_number);
  STRATO_ASSIGN_OR_RETURN(bool row, old.Step());
  std::string previous = row ? old.Text(0) : "";
  sqlite3_reset(old.raw());
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT OR REPLACE INTO multipart_parts (") +
                                              kPartCols + ") VALUES (?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(p.upload_id))
      .Bind(2, p.part_number)
      .Bind(3, p.size)
      .Bind(4, std::string_view(p.etag))
      .Bind(5, std::string_view(p.data_file))
      .Bind(6, p.created_at)
      .Bind(7, std::string_view(p.checksum));
  STRATO_RETURN_IF_ERROR(s.Run());
  return previous;
}

}  // namespace strato::sqlite

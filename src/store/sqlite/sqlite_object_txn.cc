// SqliteTxn: the object store's buckets and objects.
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_txn.h"

namespace strato::sqlite {
namespace {

constexpr const char* kBucketCols = "name, id, tenant_id, created_at";
constexpr const char* kObjectCols =
    "bucket, key, size, etag, content_type, user_metadata, data_file, created_at, checksum, "
    "headers, part_sizes";

Bucket ReadBucket(Statement& s) { return Bucket{s.Text(0), s.Text(1), s.Text(2), s.Int(3)}; }

ObjectRecord ReadObject(Statement& s) {
  return ObjectRecord{s.Text(0), s.Text(1), s.Int(2), s.Text(3), s.Text(4),
                      s.Text(5), s.Text(6), s.Int(7),  s.Text(8), s.Text(9), s.Text(10)};
}

// The data file of (bucket, key), "" if absent.
Result<std::string> DataFileOf(Connection& db, const std::string& bucket, const std::string& key) {
  STRATO_ASSIGN_OR_RETURN(auto s,
                          db.Prepare("SELECT data_file FROM objects WHERE bucket = ? AND key = ?"));
  s.Bind(1, std::string_view(bucket)).Bind(2, std::string_view(key));
  STRATO_ASSIGN_OR_RETURN(bool row, s.Step());
  std::string file = row ? s.Text(0) : "";
  sqlite3_reset(s.raw());
  return file;
}

}  // namespace

Result<Bucket> SqliteTxn::GetBucket(const std::string& name) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("SELECT ") + kBucketCols + " FROM buckets WHERE name = ?"));
  s.Bind(1, std::string_view(name));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<Bucket>(s, ReadBucket));
  if (rows.empty()) return NotFound("NoSuchBucket", "The specified bucket does not exist.");
  return rows.front();
}

Result<std::vector<Bucket>> SqliteTxn::ListBuckets(const std::string& tenant_id) {
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("SELECT ") + kBucketCols +
                          " FROM buckets WHERE (? = '' OR tenant_id = ?) ORDER BY name"));
  s.Bind(1, std::string_view(tenant_id)).Bind(2, std::string_view(tenant_id));
  return CollectRows<Bucket>(s, ReadBucket);
}

Result<ObjectRecord> SqliteTxn::GetObject(const std::string& bucket, const std::string& key) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("SELECT ") + kObjectCols +
                                              " FROM objects WHERE bucket = ? AND key = ?"));
  s.Bind(1, std::string_view(bucket)).Bind(2, std::string_view(key));
  STRATO_ASSIGN_OR_RETURN(auto rows, CollectRows<ObjectRecord>(s, ReadObject));
  if (rows.empty()) return NotFound("NoSuchKey", "The specified key does not exist.");
  return rows.front();
}

Result<std::vector<ObjectRecord>> SqliteTxn::ListObjects(const std::string& bucket,
                                                         const std::string& prefix,
                                                         const std::string& after, int limit) {
  // Keys compare as bytes (BINARY collation), the order S3 lists in. The prefix is a range
  // condition so the primary key index serves it (LIKE would treat % and _ specially).
  std::string sql = std::string("SELECT ") + kObjectCols +
                    " FROM objects WHERE bucket = ? AND key > ? AND key >= ?";
  std::string upper;
  if (!prefix.empty()) {
    upper = prefix;
    // The smallest string greater than every string with this prefix (none if all 0xff).
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
    if (!upper.empty()) {
      upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
      sql += " AND key < ?";
    }
  }
  sql += " ORDER BY key LIMIT ?";
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(sql));
  s.Bind(1, std::string_view(bucket));
  s.Bind(2, std::string_view(after));
  s.Bind(3, std::string_view(prefix));
  int next = 4;
  if (!upper.empty()) s.Bind(next++, std::string_view(upper));
  s.Bind(next, limit);
  return CollectRows<ObjectRecord>(s, ReadObject);
}

Result<bool> SqliteTxn::BucketHasObjects(const std::string& bucket) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1"));
  s.Bind(1, std::string_view(bucket));
  STRATO_ASSIGN_OR_RETURN(bool row, s.Step());
  sqlite3_reset(s.raw());
  return row;
}

Status SqliteTxn::InsertBucket(const Bucket& b) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare(std::string("INSERT INTO buckets (") + kBucketCols +
                                              ") VALUES (?, ?, ?, ?)"));
  s.Bind(1, std::string_view(b.name))
      .Bind(2, std::string_view(b.id))
      .Bind(3, std::string_view(b.tenant_id))
      .Bind(4, b.created_at);
  return s.Run();
}

Status SqliteTxn::DeleteBucket(const std::string& name) {
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM buckets WHERE name = ?"));
  s.Bind(1, std::string_view(name));
  STRATO_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return NotFound("NoSuchBucket", "The specified bucket does not exist.");
  return OkStatus();
}

Result<std::string> SqliteTxn::PutObject(const ObjectRecord& o) {
  STRATO_ASSIGN_OR_RETURN(std::string previous, DataFileOf(db_, o.bucket, o.key));
  STRATO_ASSIGN_OR_RETURN(
      auto s, db_.Prepare(std::string("INSERT OR REPLACE INTO objects (") + kObjectCols +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, std::string_view(o.bucket))
      .Bind(2, std::string_view(o.key))
      .Bind(3, o.size)
      .Bind(4, std::string_view(o.etag))
      .Bind(5, std::string_view(o.content_type))
      .Bind(6, std::string_view(o.user_metadata))
      .Bind(7, std::string_view(o.data_file))
      .Bind(8, o.created_at)
      .Bind(9, std::string_view(o.checksum))
      .Bind(10, std::string_view(o.headers))
      .Bind(11, std::string_view(o.part_sizes));
  STRATO_RETURN_IF_ERROR(s.Run());
  return previous;
}

Result<std::string> SqliteTxn::DeleteObject(const std::string& bucket, const std::string& key) {
  STRATO_ASSIGN_OR_RETURN(std::string previous, DataFileOf(db_, bucket, key));
  STRATO_ASSIGN_OR_RETURN(auto s, db_.Prepare("DELETE FROM objects WHERE bucket = ? AND key = ?"));
  s.Bind(1, std::string_view(bucket)).Bind(2, std::string_view(key));
  STRATO_RETURN_IF_ERROR(s.Run());
  return previous;
}

}  // namespace strato::sqlite

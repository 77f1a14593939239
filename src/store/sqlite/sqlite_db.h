#pragma once
// Thin RAII wrappers over the SQLite C API: a connection with a prepared-statement
// cache, and a statement with typed bind/column helpers. Errors become Status values.
// Thread-safety: a Connection is used by one thread at a time (the store guarantees it).

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  // Binds are 1-based like SQLite's.
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, bool v) { return Bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  Statement& Bind(int i, const std::optional<std::string>& v);
  Statement& BindNull(int i);

  // true: a row is available; false: done. Errors become a Status.
  Result<bool> Step();
  Status Run();  // steps to completion, expecting no rows

  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  bool IsNull(int col) const;

  sqlite3_stmt* raw() { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Exec(const std::string& sql);
  // Returns a reset, cleared statement from the cache (prepared once per connection).
  Result<Statement> Prepare(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  std::string LastError() const { return sqlite3_errmsg(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace strato::sqlite

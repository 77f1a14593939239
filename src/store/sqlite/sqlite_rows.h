#pragma once
// Internal to the SQLite store: reading result rows, shared by the sqlite_*_txn.cc files.

#include <vector>

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"

namespace strato::sqlite {

// Steps `stmt` to the end, mapping each row with `read(Statement&) -> T`.
template <typename T, typename F>
Result<std::vector<T>> CollectRows(Statement& stmt, F read) {
  std::vector<T> out;
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back(read(stmt));
  }
}

}  // namespace strato::sqlite

#pragma once
// Numbered schema migrations compiled into the binary. Migration N runs once, in a
// transaction, and records schema_version = N. Portable SQL (SQLite and PostgreSQL).

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"

namespace strato::sqlite {

Status Migrate(Connection& db);
int LatestSchemaVersion();

}  // namespace strato::sqlite

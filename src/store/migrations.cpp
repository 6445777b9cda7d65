// SPDX-License-Identifier: Apache-2.0
#include "store/migrations.h"

#include <fmt/format.h>

#include "store/migrations_embedded.h"

namespace camguard::store {

using base::ErrorCode;
using base::Fail;

std::span<const Migration> AllMigrations() { return kEmbeddedMigrations; }

int LatestSchemaVersion() { return AllMigrations().empty() ? 0 : AllMigrations().back().version; }

Result<int> SchemaVersion(Database& db) {
  CAMGUARD_TRY(auto stmt, db.Prepare("PRAGMA user_version"));
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return Fail(ErrorCode::kInternal, "PRAGMA user_version returned no row");
  return static_cast<int>(stmt.ColumnInt(0));
}

Status Migrate(Database& db, int target) {
  if (target < 0) target = LatestSchemaVersion();
  CAMGUARD_TRY(const int current, SchemaVersion(db));
  if (current > LatestSchemaVersion()) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("database schema version {} is newer than this camguard knows ({}); "
                            "upgrade camguard",
                            current, LatestSchemaVersion()));
  }
  for (const Migration& migration : AllMigrations()) {
    if (migration.version <= current || migration.version > target) continue;
    CAMGUARD_TRY(auto tx, Transaction::Begin(db));
    auto applied = db.Execute(migration.sql);
    if (!applied) {
      return base::Wrap(applied.error(),
                        fmt::format("migration {:04} {}", migration.version, migration.name));
    }
    CAMGUARD_TRY_STATUS(db.Execute(fmt::format("PRAGMA user_version = {}", migration.version)));
    CAMGUARD_TRY_STATUS(tx.Commit());
  }
  return base::Ok();
}

}  // namespace camguard::store

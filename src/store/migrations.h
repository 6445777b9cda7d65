// SPDX-License-Identifier: Apache-2.0
// Numbered schema migrations (src/store/migrations/NNNN_name.sql, embedded at build time).
// The schema version lives in PRAGMA user_version. Existing migrations are never edited:
// a schema change is a new file.
#pragma once

#include <span>
#include <string_view>

#include "store/database.h"

namespace camguard::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> AllMigrations();
int LatestSchemaVersion();

Result<int> SchemaVersion(Database& db);

// Applies every migration above the current version up to `target` (default: latest),
// each in its own transaction. Refuses a database newer than this build knows.
Status Migrate(Database& db, int target = -1);

}  // namespace camguard::store

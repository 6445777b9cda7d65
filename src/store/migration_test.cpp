// SPDX-License-Identifier: Apache-2.0
// Upgrades from every earlier schema version must reach exactly the schema of a fresh database
// and keep the data. When a migration adds a table, add a representative row for it to
// kSeedRows below; the test fails until every table of every earlier version has one.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/migrations.h"

namespace camguard::store {
namespace {

using ::testing::HasSubstr;

struct SeedRow {
  int version;  // the migration that created the table
  const char* table;
  const char* insert_sql;
  // Must return exactly one row and column, 1, after any later migration.
  const char* check_sql;
};

const SeedRow kSeedRows[] = {
    // 0001_accounts
    {1, "users",
     "INSERT INTO users (id, username, password_hash, role, disabled, totp_secret_sealed,"
     " totp_last_step, created_ms, password_changed_ms) VALUES (1, 'owner',"
     " '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', 'owner', 0, x'0102', 5, 1000,"
     " 1100), (2, 'Guest', '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA', 'guest', 1, NULL, 0,"
     " 2000, 2000)",
     "SELECT count(*) = 2 FROM users WHERE (id = 1 AND username = 'owner' AND role = 'owner' AND"
     " totp_secret_sealed = x'0102' AND totp_last_step = 5 AND password_changed_ms = 1100) OR"
     " (id = 2 AND username = 'guest' AND disabled = 1 AND totp_secret_sealed IS NULL)"},
    {1, "totp_enrollments",
     "INSERT INTO totp_enrollments (user_id, secret_sealed, created_ms) VALUES (2, x'aabb', 2100)",
     "SELECT count(*) FROM totp_enrollments WHERE user_id = 2 AND secret_sealed = x'aabb'"},
    {1, "recovery_codes",
     "INSERT INTO recovery_codes (id, user_id, code_hash, used_ms) VALUES (1, 1, 'c0de', NULL),"
     " (2, 1, 'c0df', 3000)",
     "SELECT count(*) = 2 FROM recovery_codes WHERE user_id = 1 AND"
     " ((code_hash = 'c0de' AND used_ms IS NULL) OR (code_hash = 'c0df' AND used_ms = 3000))"},
    {1, "trusted_devices",
     "INSERT INTO trusted_devices (id, public_id, user_id, token_hash, label, created_ms,"
     " last_seen_ms, revoked_ms) VALUES (1, 'dev-1', 1, 'devhash', 'Firefox on Linux', 1000,"
     " 1500, NULL)",
     "SELECT count(*) FROM trusted_devices WHERE public_id = 'dev-1' AND user_id = 1 AND"
     " label = 'Firefox on Linux' AND revoked_ms IS NULL"},
    {1, "sessions",
     "INSERT INTO sessions (id, public_id, token_hash, csrf_token, user_id, device_id, device,"
     " user_agent, address, created_ms, last_seen_ms, expires_ms, revoked_ms, revoke_reason)"
     " VALUES (1, 'sess-1', 'sesshash', 'csrf', 1, 1, 'Firefox on Linux', 'Mozilla/5.0',"
     " '192.0.2.1', 1000, 1600, 90000, NULL, NULL)",
     "SELECT count(*) FROM sessions WHERE public_id = 'sess-1' AND user_id = 1 AND"
     " device_id = 1 AND expires_ms = 90000 AND address = '192.0.2.1'"},
    {1, "audit_log",
     "INSERT INTO audit_log (seq, time_ms, user_id, username, session_id, device, address,"
     " action, target, outcome, details, prev_hash, hash) VALUES (1, 1000, 1, 'owner', 'sess-1',"
     " 'Firefox on Linux', '192.0.2.1', 'auth.login', 'user:1', 'success', '{}',"
     " '0000000000000000000000000000000000000000000000000000000000000000',"
     " '1111111111111111111111111111111111111111111111111111111111111111')",
     "SELECT count(*) FROM audit_log WHERE seq = 1 AND action = 'auth.login' AND"
     " hash = '1111111111111111111111111111111111111111111111111111111111111111'"},
    // 0002_cameras_and_passkeys
    {2, "cameras",
     "INSERT INTO cameras (id, public_id, name, main_url, sub_url, credentials_sealed,"
     " created_ms) VALUES (1, 'cam-1', 'Front door', 'rtsp://192.0.2.50:554/stream1', NULL,"
     " x'00ff', 3000)",
     "SELECT count(*) FROM cameras WHERE public_id = 'cam-1' AND name = 'Front door' AND"
     " credentials_sealed = x'00ff' AND sub_url IS NULL"},
    {2, "camera_rights", "INSERT INTO camera_rights (user_id, camera_id, rights) VALUES (2, 1, 3)",
     "SELECT count(*) FROM camera_rights WHERE user_id = 2 AND camera_id = 1 AND rights = 3"},
    {2, "webauthn_credentials",
     "INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, sign_count,"
     " transports, name, created_ms, last_used_ms) VALUES (1, 1, x'c0ffee', x'a501', 7, 'usb',"
     " 'Security key', 4000, NULL)",
     "SELECT count(*) FROM webauthn_credentials WHERE credential_id = x'c0ffee' AND"
     " sign_count = 7 AND name = 'Security key'"},
    // 0003_camera_streaming: the camera added at version 2 got the defaults.
    {3, "cameras",
     "INSERT INTO cameras (id, public_id, name, main_url, created_ms, transport,"
     " recording_enabled, retention_days) VALUES (2, 'cam-2', 'Garden',"
     " 'rtsp://192.0.2.51/main', 5000, 'udp', 0, 7)",
     "SELECT count(*) = 2 FROM cameras WHERE (id = 1 AND transport = 'tcp' AND"
     " recording_enabled = 1 AND retention_days = 30) OR (id = 2 AND transport = 'udp' AND"
     " recording_enabled = 0 AND retention_days = 7)"},
    // 0004_api_tokens
    {4, "api_tokens",
     "INSERT INTO api_tokens (id, public_id, user_id, name, token_hash, scopes, camera_ids,"
     " created_ms) VALUES (1, 'tok-1', 1, 'Home Assistant', 'abc', 9, '1', 6000)",
     "SELECT count(*) FROM api_tokens WHERE public_id = 'tok-1' AND scopes = 9 AND"
     " camera_ids = '1' AND revoked_ms IS NULL"},
    // 0005_alerts
    {5, "alerts",
     "INSERT INTO alerts (id, public_id, kind, severity, camera_id, title, details, first_ms,"
     " last_ms) VALUES (1, 'alr-1', 'camera.offline', 'warning', 1, 'Front door offline', '{}',"
     " 7000, 7000)",
     "SELECT count(*) FROM alerts WHERE public_id = 'alr-1' AND count = 1 AND camera_id = 1"},
    {5, "webhooks",
     "INSERT INTO webhooks (id, public_id, name, url, secret_sealed, min_severity, created_ms)"
     " VALUES (1, 'whk-1', 'ha', 'https://ha.example/hook', x'01', 'critical', 7000)",
     "SELECT count(*) FROM webhooks WHERE public_id = 'whk-1' AND enabled = 1"},
    {5, "alert_subscriptions",
     "INSERT INTO alert_subscriptions (user_id, min_severity, camera_ids, quiet_start, quiet_end)"
     " VALUES (1, 'critical', '1', 1320, 420)",
     "SELECT count(*) FROM alert_subscriptions WHERE user_id = 1 AND quiet_start = 1320"},
    {5, "alert_deliveries",
     "INSERT INTO alert_deliveries (alert_id, webhook_id, channel, attempt, outcome, detail,"
     " time_ms) VALUES (1, 1, 'webhook', 1, 'dead', 'HTTP 500', 7100)",
     "SELECT count(*) FROM alert_deliveries WHERE outcome = 'dead' AND alert_id = 1"},
    // 0006_recordings
    {6, "recordings",
     "INSERT INTO recordings (camera_id, path, start_ms, end_ms, bytes, frames, encrypted,"
     " complete, codec) VALUES (1, '/r/1/1000.cgv', 1000, 61000, 22000000, 1500, 1, 1,"
     " 'avc1.640028')",
     "SELECT count(*) FROM recordings WHERE camera_id = 1 AND frames = 1500 AND complete = 1"},
    // 0007_exports
    {7, "exports",
     "INSERT INTO exports (public_id, camera_id, user_id, path, from_ms, to_ms, bytes, sha256,"
     " created_ms) VALUES ('exp-1', 1, 1, '/e/exp-1.mp4', 1000, 61000, 5000, 'ab', 9000)",
     "SELECT count(*) FROM exports WHERE public_id = 'exp-1' AND bytes = 5000"},
    // 0008_integrity_watch
    {8, "camera_config_baselines",
     "INSERT INTO camera_config_baselines (camera_id, taken_ms, snapshot) VALUES (1, 9500,"
     " 'user/admin=Administrator')",
     "SELECT count(*) FROM camera_config_baselines b JOIN cameras c ON c.id = b.camera_id"
     " WHERE b.taken_ms = 9500 AND c.integrity_watch = 1 AND c.onvif_url IS NULL"
     " AND c.privacy = 0"},
};

struct SchemaObject {
  std::string type;
  std::string name;
  std::string table;
  std::string sql;  // whitespace-normalized
  auto operator<=>(const SchemaObject&) const = default;
};

std::string NormalizeSql(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Every schema object in creation order (sqlite_master rowid).
std::vector<SchemaObject> Schema(Database& db) {
  std::vector<SchemaObject> objects;
  auto stmt = db.Prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid");
  EXPECT_TRUE(stmt);
  if (!stmt) return objects;
  for (;;) {
    auto row = stmt->Step();
    EXPECT_TRUE(row);
    if (!row || !*row) break;
    objects.push_back({stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2),
                       NormalizeSql(stmt->ColumnText(3))});
  }
  return objects;
}

std::vector<SchemaObject> Sorted(std::vector<SchemaObject> objects) {
  std::sort(objects.begin(), objects.end());
  return objects;
}

std::set<std::string> UserTables(Database& db) {
  std::set<std::string> tables;
  for (const auto& object : Schema(db)) {
    if (object.type == "table" && !object.name.starts_with("sqlite_")) tables.insert(object.name);
  }
  return tables;
}

std::int64_t QueryInt(Database& db, std::string_view sql) {
  auto stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt) << sql << ": " << stmt.error().message;
  if (!stmt) return -1;
  auto row = stmt->Step();
  EXPECT_TRUE(row && *row) << sql;
  return (row && *row) ? stmt->ColumnInt(0) : -1;
}

Database NewDatabase() {
  auto db = Database::OpenInMemory();
  EXPECT_TRUE(db) << db.error().message;
  return std::move(*db);
}

Database DatabaseAt(int version) {
  Database db = NewDatabase();
  auto migrated = Migrate(db, version);
  EXPECT_TRUE(migrated) << "to version " << version << ": " << migrated.error().message;
  return db;
}

int Latest() { return LatestSchemaVersion(); }

TEST(Migrations, AreNumberedContiguouslyFromOne) {
  const auto migrations = AllMigrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1) << migrations[i].name;
    EXPECT_FALSE(migrations[i].name.empty());
    // Every migration changes the schema (a table, an index or a column).
    EXPECT_THAT(std::string(migrations[i].sql), ::testing::ContainsRegex("CREATE|ALTER TABLE"));
  }
  EXPECT_EQ(Latest(), migrations.back().version);
}

TEST(Migrations, FreshDatabaseReachesTheLatestVersion) {
  Database db = NewDatabase();
  EXPECT_EQ(*SchemaVersion(db), 0);
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(*SchemaVersion(db), Latest());
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  // Migrating again is a no-op.
  const auto before = Schema(db);
  ASSERT_TRUE(Migrate(db));
  EXPECT_EQ(Schema(db), before);
}

TEST(Migrations, StopAtTheRequestedTarget) {
  for (int version = 0; version <= Latest(); ++version) {
    Database db = DatabaseAt(version);
    EXPECT_EQ(*SchemaVersion(db), version);
  }
  Database first = DatabaseAt(1);
  EXPECT_TRUE(UserTables(first).count("users"));
  if (Latest() >= 2) {
    EXPECT_FALSE(UserTables(first).count("cameras"));
  }
}

TEST(Migrations, EveryTableOfEveryEarlierVersionHasASeedRow) {
  for (int version = 1; version < Latest(); ++version) {
    Database db = DatabaseAt(version);
    for (const std::string& table : UserTables(db)) {
      const bool seeded =
          std::any_of(std::begin(kSeedRows), std::end(kSeedRows),
                      [&](const SeedRow& s) { return s.table == table && s.version <= version; });
      EXPECT_TRUE(seeded) << "table " << table << " exists at schema version " << version
                          << " but migration_test.cpp has no seed row for it";
    }
  }
}

TEST(Migrations, UpgradeFromEveryEarlierVersionMatchesAFreshSchemaAndKeepsRows) {
  Database fresh = DatabaseAt(Latest());
  const auto expected = Sorted(Schema(fresh));
  ASSERT_FALSE(expected.empty());

  for (int version = 0; version < Latest(); ++version) {
    SCOPED_TRACE(fmt::format("upgrading from schema version {}", version));
    Database db = DatabaseAt(version);
    for (const SeedRow& seed : kSeedRows) {
      if (seed.version > version) continue;
      auto inserted = db.Execute(seed.insert_sql);
      ASSERT_TRUE(inserted) << seed.table << ": " << inserted.error().message;
    }

    auto upgraded = Migrate(db);
    ASSERT_TRUE(upgraded) << upgraded.error().message;
    EXPECT_EQ(*SchemaVersion(db), Latest());
    EXPECT_EQ(Sorted(Schema(db)), expected);

    for (const SeedRow& seed : kSeedRows) {
      if (seed.version > version) continue;
      EXPECT_EQ(QueryInt(db, seed.check_sql), 1) << "row in " << seed.table << " did not survive";
    }
    EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  }
}

TEST(Migrations, SeedRowsSatisfyTheLatestSchemaToo) {
  // Keeps the seeds honest: they must still be valid rows, not just survivors.
  Database db = DatabaseAt(Latest());
  for (const SeedRow& seed : kSeedRows) {
    auto inserted = db.Execute(seed.insert_sql);
    ASSERT_TRUE(inserted) << seed.table << ": " << inserted.error().message;
    EXPECT_EQ(QueryInt(db, seed.check_sql), 1) << seed.table;
  }
}

TEST(Migrations, RefuseADatabaseNewerThanThisBuild) {
  Database db = NewDatabase();
  ASSERT_TRUE(db.Execute(fmt::format("PRAGMA user_version = {}", Latest() + 1)));
  auto refused = Migrate(db);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, HasSubstr("newer"));
  EXPECT_EQ(*SchemaVersion(db), Latest() + 1);
  EXPECT_TRUE(UserTables(db).empty());
}

// Makes migration `version` fail on its last CREATE (a table already holds that name) and checks
// that everything it did before is rolled back and user_version stays put.
TEST(Migrations, FailingMigrationRollsBackCompletelyAndKeepsTheVersion) {
  for (int version = 1; version <= Latest(); ++version) {
    SCOPED_TRACE(fmt::format("migration {}", version));
    Database before = DatabaseAt(version - 1);
    Database after = DatabaseAt(version);
    std::set<std::string> old_names;
    for (const auto& object : Schema(before)) old_names.insert(object.name);
    std::vector<std::string> added;  // tables, indexes and views, in creation order
    for (const auto& object : Schema(after)) {
      if (old_names.count(object.name) || object.name.starts_with("sqlite_") ||
          object.type == "trigger") {
        continue;
      }
      added.push_back(object.name);
    }
    if (added.size() < 2) continue;  // nothing before the blocker to roll back

    Database db = DatabaseAt(version - 1);
    const std::string blocker = added.back();
    ASSERT_TRUE(db.Execute(fmt::format("CREATE TABLE \"{}\" (x INTEGER)", blocker)));
    const auto schema_with_blocker = Sorted(Schema(db));

    auto failed = Migrate(db);
    ASSERT_FALSE(failed);
    EXPECT_THAT(failed.error().message, HasSubstr(fmt::format("migration {:04}", version)));
    EXPECT_EQ(*SchemaVersion(db), version - 1);
    EXPECT_EQ(Sorted(Schema(db)), schema_with_blocker);

    // Once the obstacle is gone the same migration applies cleanly.
    ASSERT_TRUE(db.Execute(fmt::format("DROP TABLE \"{}\"", blocker)));
    ASSERT_TRUE(Migrate(db));
    EXPECT_EQ(*SchemaVersion(db), Latest());
  }
}

TEST(Migrations, CreateTheAppendOnlyAuditTriggers) {
  Database db = DatabaseAt(Latest());
  ASSERT_TRUE(
      db.Execute("INSERT INTO audit_log VALUES (1, 1, NULL, '', '', '', '', 'a', '', 'success', "
                 "'{}', '', '')"));
  auto update = db.Execute("UPDATE audit_log SET action = 'b'");
  ASSERT_FALSE(update);
  EXPECT_THAT(update.error().message, HasSubstr("append-only"));
  EXPECT_FALSE(db.Execute("DELETE FROM audit_log"));
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM audit_log WHERE action = 'a'"), 1);
}

}  // namespace
}  // namespace camguard::store

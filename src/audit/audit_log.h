// SPDX-License-Identifier: Apache-2.0
// Tamper-evident audit log: every security-relevant action (login, session, user, camera
// access, configuration) becomes one row of the append-only `audit_log` table, chained with
// an HMAC-SHA256 under a key that never enters the database (DATA_DIR/keys/audit.key).
//
// Guarantees (see Verify):
//  - editing, deleting, reordering or forging a row is detected by anyone holding the key,
//    even after the append-only triggers were dropped with raw SQL;
//  - removing the newest rows, or adding rows behind camguard's back, is detected through the
//    anchor file (DATA_DIR/audit.head) that holds the last seq and hash.
// The log proves integrity, not secrecy: rows are plain text and must not contain secrets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "store/database.h"

namespace camguard::audit {

// Who did it. Strings are stored as given, except that invalid UTF-8 is replaced by U+FFFD and
// each field is cut to kMaxFieldBytes (they partly come from the network, e.g. the User-Agent).
struct Actor {
  // nullopt for anonymous (failed login of an unknown user, setup).
  std::optional<std::int64_t> user_id;
  std::string username;    // "" if none
  std::string session_id;  // public session id or ""
  std::string device;      // e.g. "Firefox on Linux"
  std::string address;     // client IP
};

enum class Outcome { kSuccess, kFailure, kDenied };
std::string_view ToString(Outcome outcome);  // "success" | "failure" | "denied"
std::optional<Outcome> ParseOutcome(std::string_view text);

// Limits applied by Append.
inline constexpr std::size_t kMaxFieldBytes = 1024;         // actor fields and target (cut)
inline constexpr std::size_t kMaxActionBytes = 128;         // longer is rejected
inline constexpr std::size_t kMaxDetailsBytes = 16 * 1024;  // longer is rejected

struct Entry {
  Actor actor;
  // Dotted verb, e.g. "auth.login" or "camera.ptz": printable ASCII without spaces, 1..128 bytes.
  std::string action;
  std::string target;  // what was acted on, e.g. "user:3" or "camera:front-door"; may be ""
  Outcome outcome = Outcome::kSuccess;
  // A JSON object text produced by the caller. Audit does not parse JSON; it only checks that the
  // text is valid UTF-8 of at most kMaxDetailsBytes, starting with '{' and ending with '}'.
  std::string details_json = "{}";
};

struct StoredEntry {
  std::int64_t seq = 0;
  std::int64_t time_ms = 0;
  Actor actor;
  std::string action;
  std::string target;
  Outcome outcome = Outcome::kSuccess;
  std::string details_json;
  std::string prev_hash;  // 64 lower-case hex digits
  std::string hash;       // 64 lower-case hex digits
};

struct Query {
  std::optional<std::int64_t> from_ms;  // time_ms >= from_ms
  std::optional<std::int64_t> to_ms;    // time_ms < to_ms (half-open, so ranges tile)
  // Exact action, or a prefix when it ends with '.': "auth." matches "auth.login", "auth.logout".
  std::optional<std::string> action;
  std::optional<std::string> username;  // exact, ASCII case-insensitive like users.username
  std::optional<Outcome> outcome;
  std::optional<std::int64_t> before_seq;  // paging: entries with seq < before_seq, newest first
  int limit = 100;                         // clamped to 1..1000
};

// Thread: one thread (the loop). Holds references; db and clock outlive it. The database must
// be migrated (store::Migrate) before the first Append.
//
// Several processes may append to the same database and anchor (the daemon and a CLI command):
// each Append reads and updates the anchor while it holds SQLite's write lock.
class AuditLog {
 public:
  AuditLog(store::Database& db, crypto::SecretKey key, std::filesystem::path anchor_path,
           const base::Clock& clock);

  // Appends one entry in its own transaction and returns its seq (1, 2, 3, ...). Fails with
  // kInvalidArgument for a malformed entry, with kFailedPrecondition when called while a
  // transaction is open on `db` (append after COMMIT: the anchor must only describe committed
  // rows), and with kDataLoss, appending nothing, when the table's head does not match the anchor
  // (the log was cut or extended outside camguard; run `camguard audit-log verify`).
  base::Result<std::int64_t> Append(const Entry& entry);

  // Newest first.
  base::Result<std::vector<StoredEntry>> List(const Query& query) const;

 private:
  store::Database& db_;
  crypto::SecretKey key_;
  std::filesystem::path anchor_path_;
  const base::Clock& clock_;
};

struct VerifyReport {
  bool intact = false;
  std::int64_t entries_checked = 0;  // entries whose hash and link were found good
  std::optional<std::int64_t> first_bad_seq;
  std::string problem;  // human text, e.g. "entry 5 was altered (hash mismatch)"; "" when intact
};

// Walks every row in seq order and checks seq continuity (from 1), each row's HMAC and the link to
// the previous row's hash; with an anchor path, also compares the table's head with the anchor.
// Returns an error only when the check itself could not run (database or file I/O, or a
// transaction already open on `db` when an anchor is given); a broken chain is a report with
// intact == false.
base::Result<VerifyReport> Verify(store::Database& db, const crypto::SecretKey& key,
                                  const std::optional<std::filesystem::path>& anchor_path);

// Operator recovery after restoring a database backup without its anchor (or with an older one):
// verifies the chain without the anchor and, only if it is intact, rewrites the anchor at the
// table's current head. Returns the report of the chain check either way.
base::Result<VerifyReport> Reanchor(store::Database& db, const crypto::SecretKey& key,
                                    const std::filesystem::path& anchor_path);

}  // namespace camguard::audit

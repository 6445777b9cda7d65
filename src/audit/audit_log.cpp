// SPDX-License-Identifier: Apache-2.0
//
// Chain format (version 1)
// ------------------------
// Each row carries prev_hash (the previous row's hash; 64 '0' for seq 1) and
//
//   hash = hex(HMAC-SHA256(audit.key, F(prev_hash) || canonical(row)))
//   canonical(row) = F("camguard-audit-v1") || F(seq) || F(time_ms) || F(user_id) ||
//                    F(username) || F(session_id) || F(device) || F(address) || F(action) ||
//                    F(target) || F(outcome) || F(details)
//   F(x) = 8-byte big-endian byte length of x || x
//
// Integers are written in decimal; a NULL user_id is the empty string (a decimal number is
// never empty). Every field is length-prefixed, so no two different rows share an encoding,
// and seq is inside the MAC, so a row cannot be moved to another position. hex is lower case.
//
// Anchor file (DATA_DIR/audit.head, mode 0600)
// --------------------------------------------
//   camguard-audit-anchor 1
//   head <seq> <hash>
//   pending <seq> <hash>        (optional)
//
// "head" is the newest entry. An Append writes "pending" (the row it is about to commit) before
// COMMIT and drops it afterwards, both while holding SQLite's write lock. A crash between the
// COMMIT and the second write therefore leaves a table whose head equals "pending", which is
// accepted; without the pending line such a crash would look exactly like tampering.
#include "audit/audit_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/files.h"
#include "base/strings.h"

namespace camguard::audit {

using base::ErrorCode;
using base::Fail;
using base::Result;
using base::Status;

std::string_view ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess: return "success";
    case Outcome::kFailure: return "failure";
    case Outcome::kDenied: return "denied";
  }
  return "invalid";
}

std::optional<Outcome> ParseOutcome(std::string_view text) {
  if (text == "success") return Outcome::kSuccess;
  if (text == "failure") return Outcome::kFailure;
  if (text == "denied") return Outcome::kDenied;
  return std::nullopt;
}

namespace {

constexpr std::size_t kHashHexSize = 64;
constexpr std::string_view kAnchorMagic = "camguard-audit-anchor 1";
constexpr std::string_view kChainTag = "camguard-audit-v1";
constexpr std::size_t kMaxAnchorBytes = 4096;

const std::string& GenesisHash() {
  static const std::string kGenesis(kHashHexSize, '0');
  return kGenesis;
}

constexpr std::string_view kColumns =
    "seq, time_ms, user_id, username, session_id, device, address, action, target, outcome, "
    "details, prev_hash, hash";

// A row exactly as stored; outcome stays text so that Verify can MAC rows whose outcome is not
// one of ours.
struct RawRow {
  std::int64_t seq = 0;
  std::int64_t time_ms = 0;
  std::optional<std::int64_t> user_id;
  std::string username;
  std::string session_id;
  std::string device;
  std::string address;
  std::string action;
  std::string target;
  std::string outcome;
  std::string details;
  std::string prev_hash;
  std::string hash;
};

RawRow ReadRow(const store::Statement& stmt) {
  RawRow row;
  row.seq = stmt.ColumnInt(0);
  row.time_ms = stmt.ColumnInt(1);
  row.user_id = stmt.ColumnOptionalInt(2);
  row.username = stmt.ColumnText(3);
  row.session_id = stmt.ColumnText(4);
  row.device = stmt.ColumnText(5);
  row.address = stmt.ColumnText(6);
  row.action = stmt.ColumnText(7);
  row.target = stmt.ColumnText(8);
  row.outcome = stmt.ColumnText(9);
  row.details = stmt.ColumnText(10);
  row.prev_hash = stmt.ColumnText(11);
  row.hash = stmt.ColumnText(12);
  return row;
}

void PutField(std::string& out, std::string_view field) {
  const auto size = static_cast<std::uint64_t>(field.size());
  for (int shift = 56; shift >= 0; shift -= 8) {
    out += static_cast<char>((size >> shift) & 0xff);
  }
  out.append(field);
}

std::string ChainHash(const crypto::SecretKey& key, const RawRow& row) {
  std::string message;
  message.reserve(256 + row.username.size() + row.device.size() + row.details.size());
  PutField(message, row.prev_hash);
  PutField(message, kChainTag);
  PutField(message, std::to_string(row.seq));
  PutField(message, std::to_string(row.time_ms));
  PutField(message, row.user_id ? std::to_string(*row.user_id) : std::string());
  PutField(message, row.username);
  PutField(message, row.session_id);
  PutField(message, row.device);
  PutField(message, row.address);
  PutField(message, row.action);
  PutField(message, row.target);
  PutField(message, row.outcome);
  PutField(message, row.details);
  return base::HexEncode(crypto::HmacSha256(key.bytes(), message));
}

bool IsHashHex(std::string_view text) {
  if (text.size() != kHashHexSize) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Length of the UTF-8 sequence that `lead` starts, 0 if it cannot start one.
std::size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 0;
}

// Replaces invalid UTF-8 with U+FFFD and cuts at a character boundary to at most `max_bytes`.
std::string CleanText(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = Utf8SequenceLength(static_cast<unsigned char>(text[i]));
    std::string_view piece;
    if (length != 0 && i + length <= text.size() && base::IsValidUtf8(text.substr(i, length))) {
      piece = text.substr(i, length);
      i += length;
    } else {
      piece = kReplacement;
      ++i;
    }
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
  }
  return out;
}

Status ValidateEntry(const Entry& entry) {
  if (entry.action.empty() || entry.action.size() > kMaxActionBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("audit action must be 1 to {} bytes", kMaxActionBytes));
  }
  for (char c : entry.action) {
    if (c < '!' || c > '~') {
      return Fail(ErrorCode::kInvalidArgument,
                  "audit action must be printable ASCII without spaces");
    }
  }
  if (!ParseOutcome(ToString(entry.outcome))) {
    return Fail(ErrorCode::kInvalidArgument, "audit outcome is not a known value");
  }
  const std::string_view details = entry.details_json;
  if (details.size() > kMaxDetailsBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("audit details are larger than {} bytes", kMaxDetailsBytes));
  }
  if (details.size() < 2 || details.front() != '{' || details.back() != '}' ||
      !base::IsValidUtf8(details)) {
    return Fail(ErrorCode::kInvalidArgument, "audit details must be a JSON object in UTF-8");
  }
  return base::Ok();
}

// ---- anchor ---------------------------------------------------------------------------------

struct Head {
  std::int64_t seq = 0;
  std::string hash = GenesisHash();
  bool operator==(const Head&) const = default;
};

struct Anchor {
  Head head;
  std::optional<Head> pending;
  bool operator==(const Anchor&) const = default;
};

std::string FormatAnchor(const Anchor& anchor) {
  std::string out =
      fmt::format("{}\nhead {} {}\n", kAnchorMagic, anchor.head.seq, anchor.head.hash);
  if (anchor.pending) {
    out += fmt::format("pending {} {}\n", anchor.pending->seq, anchor.pending->hash);
  }
  return out;
}

std::optional<Head> ParseHeadLine(std::string_view line, std::string_view keyword) {
  const auto parts = base::Split(line, ' ');
  if (parts.size() != 3 || parts[0] != keyword) return std::nullopt;
  Head head;
  const std::string_view seq_text = parts[1];
  const auto [end, ec] =
      std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), head.seq);
  if (ec != std::errc() || end != seq_text.data() + seq_text.size() || head.seq < 0) {
    return std::nullopt;
  }
  if (!IsHashHex(parts[2])) return std::nullopt;
  head.hash = std::string(parts[2]);
  return head;
}

std::optional<Anchor> ParseAnchor(std::string_view text) {
  auto lines = base::Split(text, '\n');
  // The file ends with a newline, so the last piece is empty.
  if (lines.size() < 3 || !lines.back().empty()) return std::nullopt;
  lines.pop_back();
  if (lines.size() > 3 || lines[0] != kAnchorMagic) return std::nullopt;
  Anchor anchor;
  const auto head = ParseHeadLine(lines[1], "head");
  if (!head) return std::nullopt;
  anchor.head = *head;
  if (lines.size() == 3) {
    anchor.pending = ParseHeadLine(lines[2], "pending");
    if (!anchor.pending || anchor.pending->seq != anchor.head.seq + 1) return std::nullopt;
  }
  return anchor;
}

// nullopt when the file does not exist.
Result<std::optional<Anchor>> ReadAnchor(const std::filesystem::path& path) {
  auto text = base::ReadFile(path, kMaxAnchorBytes);
  if (!text) {
    if (text.error().code == ErrorCode::kNotFound) return std::optional<Anchor>();
    return base::Wrap(text.error(), "reading audit anchor");
  }
  auto anchor = ParseAnchor(*text);
  if (!anchor) {
    return Fail(ErrorCode::kDataLoss, fmt::format("audit anchor {} is malformed", path.string()));
  }
  return std::optional<Anchor>(std::move(*anchor));
}

Status WriteAnchor(const std::filesystem::path& path, const Anchor& anchor) {
  auto written = base::WritePrivateFile(path, FormatAnchor(anchor));
  if (!written) return base::Wrap(written.error(), "writing audit anchor");
  return base::Ok();
}

Result<Head> ReadTableHead(store::Database& db) {
  CAMGUARD_TRY(auto stmt, db.Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return Head{};
  return Head{stmt.ColumnInt(0), stmt.ColumnText(1)};
}

// Whether the table's head is what the anchor says it should be. A head equal to "pending" means
// the last append committed but its process stopped before it could rewrite the anchor.
bool HeadMatchesAnchor(const Head& table_head, const Anchor& anchor) {
  return table_head == anchor.head || (anchor.pending && table_head == *anchor.pending);
}

// ---- verification ---------------------------------------------------------------------------

std::string Range(std::int64_t first, std::int64_t last) {
  return first == last ? fmt::format("entry {} was", first)
                       : fmt::format("entries {} to {} were", first, last);
}

// Checks rows fed in seq order; stops at the first bad one.
class ChainWalker {
 public:
  explicit ChainWalker(const crypto::SecretKey& key) : key_(key) {}

  // Returns false once a problem was found (further rows are ignored).
  bool Feed(const RawRow& row) {
    if (!report_.problem.empty()) return false;
    const std::int64_t expected = head_.seq + 1;
    if (row.seq > expected) {
      return Bad(expected, fmt::format("{} removed (gap in seq)", Range(expected, row.seq - 1)));
    }
    if (row.seq < expected) {
      return Bad(row.seq,
                 fmt::format("entry {} is out of sequence (seq must count up from 1)", row.seq));
    }
    if (!crypto::ConstantTimeEqual(ChainHash(key_, row), row.hash)) {
      std::string problem = fmt::format("entry {} was altered (hash mismatch)", row.seq);
      if (report_.entries_checked == 0) {
        problem += "; if no entry verifies, the key is not the one this log was written with";
      }
      return Bad(row.seq, std::move(problem));
    }
    if (row.prev_hash != head_.hash) {
      return Bad(row.seq,
                 fmt::format("entry {} is out of order (prev_hash does not link to {})", row.seq,
                             row.seq == 1 ? std::string("the start")
                                          : fmt::format("entry {}", row.seq - 1)));
    }
    head_ = Head{row.seq, row.hash};
    ++report_.entries_checked;
    return true;
  }

  bool Bad(std::optional<std::int64_t> seq, std::string problem) {
    report_.first_bad_seq = seq;
    report_.problem = std::move(problem);
    return false;
  }
  bool ok() const { return report_.problem.empty(); }
  const Head& head() const { return head_; }
  VerifyReport Report() const {
    VerifyReport report = report_;
    report.intact = report.problem.empty();
    return report;
  }

 private:
  const crypto::SecretKey& key_;
  Head head_;
  VerifyReport report_;
};

// Feeds every row with seq >= from_seq to the walker, in seq order. The first walk starts at the
// smallest int64 so that rows forged with seq <= 0 are seen too.
constexpr std::int64_t kFromStart = std::numeric_limits<std::int64_t>::min();
Status WalkRows(store::Database& db, ChainWalker& walker, std::int64_t from_seq) {
  CAMGUARD_TRY(auto stmt, db.Prepare(fmt::format(
                              "SELECT {} FROM audit_log WHERE seq >= ?1 ORDER BY seq", kColumns)));
  stmt.Bind(1, from_seq);
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row || !walker.Feed(ReadRow(stmt))) break;
  }
  return base::Ok();
}

// Hash of entry `seq` (the genesis value for 0), nullopt if there is no such row.
Result<std::optional<std::string>> HashAt(store::Database& db, std::int64_t seq) {
  if (seq == 0) return std::optional<std::string>(GenesisHash());
  CAMGUARD_TRY(auto stmt, db.Prepare("SELECT hash FROM audit_log WHERE seq = ?1"));
  stmt.Bind(1, seq);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(stmt.ColumnText(0));
}

// Called with an intact chain whose newest entry is walker.head().
Status CompareWithAnchor(store::Database& db, ChainWalker& walker,
                         const std::optional<Anchor>& anchor,
                         const std::filesystem::path& anchor_path) {
  const Head& table = walker.head();
  if (!anchor) {
    if (table.seq != 0) {
      walker.Bad(std::nullopt,
                 fmt::format("the anchor file {} is missing, so removal of the newest "
                             "entries cannot be ruled out",
                             anchor_path.string()));
    }
    return base::Ok();
  }
  if (HeadMatchesAnchor(table, *anchor)) return base::Ok();
  const Head& expected = anchor->head;
  if (table.seq < expected.seq) {
    walker.Bad(table.seq + 1,
               fmt::format("{} removed from the end of the log (truncated; the anchor records "
                           "entry {} as the newest)",
                           Range(table.seq + 1, expected.seq), expected.seq));
    return base::Ok();
  }
  CAMGUARD_TRY(const std::optional<std::string> hash, HashAt(db, expected.seq));
  if (hash != expected.hash) {
    walker.Bad(expected.seq,
               fmt::format("entry {} does not match the anchor (hash differs)", expected.seq));
  } else {
    walker.Bad(expected.seq + 1,
               fmt::format("{} appended outside camguard (extended; the anchor records entry {} "
                           "as the newest)",
                           Range(expected.seq + 1, table.seq), expected.seq));
  }
  return base::Ok();
}

}  // namespace

AuditLog::AuditLog(store::Database& db, crypto::SecretKey key, std::filesystem::path anchor_path,
                   const base::Clock& clock)
    : db_(db), key_(std::move(key)), anchor_path_(std::move(anchor_path)), clock_(clock) {}

Result<std::int64_t> AuditLog::Append(const Entry& entry) {
  CAMGUARD_TRY_STATUS(ValidateEntry(entry));

  // The anchor must only ever describe committed rows. Inside a caller's transaction the row
  // could still be rolled back (or several appends could be), and the anchor would then claim
  // entries that never existed.
  if (sqlite3_get_autocommit(db_.raw()) == 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                "audit entries are appended outside a transaction (append after COMMIT)");
  }
  // BEGIN IMMEDIATE takes the write lock: the head we read stays the head until COMMIT, and the
  // anchor is only ever written under this lock, by any process.
  CAMGUARD_TRY(auto tx, store::Transaction::Begin(db_, /*immediate=*/true));
  CAMGUARD_TRY(const Head head, ReadTableHead(db_));
  CAMGUARD_TRY(const std::optional<Anchor> anchor, ReadAnchor(anchor_path_));
  if (anchor ? !HeadMatchesAnchor(head, *anchor) : head.seq != 0) {
    return Fail(ErrorCode::kDataLoss,
                fmt::format("audit log head (entry {}) does not match the anchor {}; nothing was "
                            "appended; run `camguard audit-log verify`",
                            head.seq, anchor_path_.string()));
  }
  if (head.seq == std::numeric_limits<std::int64_t>::max()) {
    return Fail(ErrorCode::kResourceExhausted, "audit log seq is exhausted");
  }

  RawRow row;
  row.seq = head.seq + 1;
  row.time_ms = base::ToUnixMillis(clock_.Now());
  row.user_id = entry.actor.user_id;
  row.username = CleanText(entry.actor.username, kMaxFieldBytes);
  row.session_id = CleanText(entry.actor.session_id, kMaxFieldBytes);
  row.device = CleanText(entry.actor.device, kMaxFieldBytes);
  row.address = CleanText(entry.actor.address, kMaxFieldBytes);
  row.action = entry.action;
  row.target = CleanText(entry.target, kMaxFieldBytes);
  row.outcome = std::string(ToString(entry.outcome));
  row.details = entry.details_json;
  row.prev_hash = head.hash;
  row.hash = ChainHash(key_, row);

  CAMGUARD_TRY(auto insert,
               db_.Prepare(fmt::format("INSERT INTO audit_log ({}) VALUES "
                                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                                       kColumns)));
  insert.Bind(1, row.seq).Bind(2, row.time_ms);
  if (row.user_id) {
    insert.Bind(3, *row.user_id);
  } else {
    insert.BindNull(3);
  }
  insert.Bind(4, row.username).Bind(5, row.session_id).Bind(6, row.device).Bind(7, row.address);
  insert.Bind(8, row.action).Bind(9, row.target).Bind(10, row.outcome).Bind(11, row.details);
  insert.Bind(12, row.prev_hash).Bind(13, row.hash);

  const Head new_head{row.seq, row.hash};
  const Anchor pending{head, new_head};
  CAMGUARD_TRY_STATUS(WriteAnchor(anchor_path_, pending));
  CAMGUARD_TRY_STATUS(insert.Run());
  CAMGUARD_TRY_STATUS(tx.Commit());

  // Drop the pending line, again under the write lock so that a later append by another process
  // is never overwritten by this older head. If this fails the anchor keeps the pending line,
  // which Verify and Append accept, so the entry is still reported as appended.
  if (auto finish = store::Transaction::Begin(db_, /*immediate=*/true)) {
    auto current = ReadAnchor(anchor_path_);
    if (current && *current == std::optional<Anchor>(pending) &&
        WriteAnchor(anchor_path_, Anchor{new_head, std::nullopt})) {
      (void)finish->Commit();
    }
  }
  return row.seq;
}

Result<std::vector<StoredEntry>> AuditLog::List(const Query& query) const {
  std::string sql = fmt::format("SELECT {} FROM audit_log WHERE 1", kColumns);
  std::vector<store::Value> params;
  const auto param = [&](store::Value value) {
    params.push_back(std::move(value));
    return fmt::format("?{}", params.size());
  };
  if (query.from_ms) sql += fmt::format(" AND time_ms >= {}", param(*query.from_ms));
  if (query.to_ms) sql += fmt::format(" AND time_ms < {}", param(*query.to_ms));
  if (query.action) {
    const std::string& action = *query.action;
    if (!action.empty() && action.back() == '.') {
      // substr/length count characters on both sides, and unlike LIKE there is nothing to escape.
      const std::string p = param(action);
      sql += fmt::format(" AND substr(action, 1, length({0})) = {0}", p);
    } else {
      sql += fmt::format(" AND action = {}", param(action));
    }
  }
  if (query.username)
    sql += fmt::format(" AND username = {} COLLATE NOCASE", param(*query.username));
  if (query.outcome)
    sql += fmt::format(" AND outcome = {}", param(std::string(ToString(*query.outcome))));
  if (query.before_seq) sql += fmt::format(" AND seq < {}", param(*query.before_seq));
  const int limit = std::clamp(query.limit, 1, 1000);
  sql += fmt::format(" ORDER BY seq DESC LIMIT {}", limit);

  CAMGUARD_TRY(auto stmt, db_.Prepare(sql));
  for (std::size_t i = 0; i < params.size(); ++i)
    stmt.BindValue(static_cast<int>(i + 1), params[i]);
  std::vector<StoredEntry> entries;
  for (;;) {
    CAMGUARD_TRY(const bool has_row, stmt.Step());
    if (!has_row) break;
    RawRow row = ReadRow(stmt);
    const auto outcome = ParseOutcome(row.outcome);
    if (!outcome) {
      return Fail(ErrorCode::kDataLoss,
                  fmt::format("audit entry {} has an unknown outcome", row.seq));
    }
    StoredEntry& out = entries.emplace_back();
    out.seq = row.seq;
    out.time_ms = row.time_ms;
    out.actor = Actor{row.user_id, std::move(row.username), std::move(row.session_id),
                      std::move(row.device), std::move(row.address)};
    out.action = std::move(row.action);
    out.target = std::move(row.target);
    out.outcome = *outcome;
    out.details_json = std::move(row.details);
    out.prev_hash = std::move(row.prev_hash);
    out.hash = std::move(row.hash);
  }
  return entries;
}

Result<VerifyReport> Verify(store::Database& db, const crypto::SecretKey& key,
                            const std::optional<std::filesystem::path>& anchor_path) {
  ChainWalker walker(key);
  // The long walk runs without the write lock, on the snapshot of one SELECT.
  CAMGUARD_TRY_STATUS(WalkRows(db, walker, kFromStart));
  if (!walker.ok() || !anchor_path) return walker.Report();

  // Appends write the anchor under the write lock; take it so that the anchor and the table are
  // read in a consistent state, then check the rows appended since the walk.
  CAMGUARD_TRY(auto tx, store::Transaction::Begin(db, /*immediate=*/true));
  auto anchor = ReadAnchor(*anchor_path);
  if (!anchor) {
    if (anchor.error().code != ErrorCode::kDataLoss) return tl::unexpected(anchor.error());
    // A malformed anchor is evidence of tampering, not a failure to check.
    VerifyReport report = walker.Report();
    report.intact = false;
    report.problem = fmt::format("the anchor file {} is malformed", anchor_path->string());
    return report;
  }
  CAMGUARD_TRY_STATUS(WalkRows(db, walker, walker.head().seq + 1));
  if (!walker.ok()) return walker.Report();
  CAMGUARD_TRY_STATUS(CompareWithAnchor(db, walker, *anchor, *anchor_path));
  return walker.Report();
}

Result<VerifyReport> Reanchor(store::Database& db, const crypto::SecretKey& key,
                              const std::filesystem::path& anchor_path) {
  CAMGUARD_TRY(auto tx, store::Transaction::Begin(db, /*immediate=*/true));
  ChainWalker walker(key);
  CAMGUARD_TRY_STATUS(WalkRows(db, walker, kFromStart));
  const VerifyReport report = walker.Report();
  if (report.intact) CAMGUARD_TRY_STATUS(WriteAnchor(anchor_path, Anchor{walker.head(), {}}));
  return report;
}

}  // namespace camguard::audit

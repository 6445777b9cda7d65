// SPDX-License-Identifier: Apache-2.0
#include "audit/audit_log.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/files.h"
#include "store/migrations.h"
#include "test_support.h"

namespace camguard::audit {
namespace {

using ::testing::HasSubstr;

using camguard::testing::TempDir;

Entry MakeEntry(std::string action, Outcome outcome = Outcome::kSuccess,
                std::string username = "alice") {
  Entry entry;
  entry.actor = Actor{7, std::move(username), "sess-1", "Firefox on Linux", "192.0.2.10"};
  entry.action = std::move(action);
  entry.target = "user:7";
  entry.outcome = outcome;
  entry.details_json = R"({"method":"password"})";
  return entry;
}

// The documented chain format, recomputed here independently of audit_log.cpp.
std::string Field(std::string_view value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out += static_cast<char>((static_cast<std::uint64_t>(value.size()) >> shift) & 0xff);
  }
  return out + std::string(value);
}

std::string ExpectedHash(const crypto::SecretKey& key, const StoredEntry& e) {
  const std::string message = Field(e.prev_hash) + Field("camguard-audit-v1") +
                              Field(std::to_string(e.seq)) + Field(std::to_string(e.time_ms)) +
                              Field(e.actor.user_id ? std::to_string(*e.actor.user_id) : "") +
                              Field(e.actor.username) + Field(e.actor.session_id) +
                              Field(e.actor.device) + Field(e.actor.address) + Field(e.action) +
                              Field(e.target) + Field(ToString(e.outcome)) + Field(e.details_json);
  return base::HexEncode(crypto::HmacSha256(key.bytes(), message));
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize());
    key_ = crypto::SecretKey(crypto::RandomBytes(crypto::SecretKey::kSize));
    db_ = OpenDb();
    ASSERT_TRUE(store::Migrate(*db_));
    log_.emplace(*db_, key_, anchor_, clock_);
  }

  std::optional<store::Database> OpenDb() {
    auto db = store::Database::Open(dir_.path() / "camguard.db");
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return std::nullopt;
    return std::move(*db);
  }

  void AppendN(int count) {
    for (int i = 0; i < count; ++i) {
      auto seq = log_->Append(MakeEntry(fmt::format("test.event{}", i)));
      ASSERT_TRUE(seq) << seq.error().message;
      clock_.Advance(std::chrono::seconds(1));
    }
  }

  void Sql(std::string_view sql) {
    auto status = db_->Execute(sql);
    ASSERT_TRUE(status) << status.error().message;
  }

  void DropTriggers() {
    Sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
  }

  VerifyReport VerifyWithAnchor() {
    auto report = Verify(*db_, key_, anchor_);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }

  VerifyReport VerifyWithoutAnchor() {
    auto report = Verify(*db_, key_, std::nullopt);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }

  std::vector<StoredEntry> ListAll() {
    Query query;
    query.limit = 1000;
    auto entries = log_->List(query);
    EXPECT_TRUE(entries) << entries.error().message;
    return entries ? *entries : std::vector<StoredEntry>{};
  }

  std::string AnchorText() {
    auto text = base::ReadFile(anchor_);
    EXPECT_TRUE(text) << text.error().message;
    return text ? *text : std::string();
  }

  TempDir dir_;
  std::filesystem::path anchor_ = dir_.path() / "audit.head";
  base::FakeClock clock_;
  crypto::SecretKey key_;
  std::optional<store::Database> db_;
  std::optional<AuditLog> log_;
};

TEST(AuditOutcome, RoundTripsThroughText) {
  for (Outcome outcome : {Outcome::kSuccess, Outcome::kFailure, Outcome::kDenied}) {
    EXPECT_EQ(ParseOutcome(ToString(outcome)), outcome);
  }
  EXPECT_EQ(ToString(Outcome::kDenied), "denied");
  EXPECT_FALSE(ParseOutcome("Success"));
  EXPECT_FALSE(ParseOutcome(""));
}

TEST_F(AuditLogTest, AppendReturnsContiguousSeqsFromOne) {
  for (std::int64_t expected = 1; expected <= 4; ++expected) {
    auto seq = log_->Append(MakeEntry("auth.login"));
    ASSERT_TRUE(seq) << seq.error().message;
    EXPECT_EQ(*seq, expected);
  }
}

TEST_F(AuditLogTest, StoresEveryFieldAndTheClockTime) {
  const std::int64_t now_ms = base::ToUnixMillis(clock_.Now());
  Entry entry = MakeEntry("camera.ptz", Outcome::kDenied, "bob");
  entry.details_json = R"({"direction":"left","speed":0.5})";
  ASSERT_TRUE(log_->Append(entry));

  const auto entries = ListAll();
  ASSERT_EQ(entries.size(), 1u);
  const StoredEntry& stored = entries[0];
  EXPECT_EQ(stored.seq, 1);
  EXPECT_EQ(stored.time_ms, now_ms);
  EXPECT_EQ(stored.actor.user_id, 7);
  EXPECT_EQ(stored.actor.username, "bob");
  EXPECT_EQ(stored.actor.session_id, "sess-1");
  EXPECT_EQ(stored.actor.device, "Firefox on Linux");
  EXPECT_EQ(stored.actor.address, "192.0.2.10");
  EXPECT_EQ(stored.action, "camera.ptz");
  EXPECT_EQ(stored.target, "user:7");
  EXPECT_EQ(stored.outcome, Outcome::kDenied);
  EXPECT_EQ(stored.details_json, entry.details_json);
}

TEST_F(AuditLogTest, AnonymousActorIsStoredWithoutUserId) {
  Entry entry = MakeEntry("auth.login", Outcome::kFailure, "nobody-such");
  entry.actor.user_id.reset();
  entry.actor.session_id = "";
  ASSERT_TRUE(log_->Append(entry));
  const auto entries = ListAll();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_FALSE(entries[0].actor.user_id.has_value());
  EXPECT_EQ(entries[0].actor.session_id, "");
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

TEST_F(AuditLogTest, RejectsMalformedEntriesAndAppendsNothing) {
  Entry entry = MakeEntry("");
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry = MakeEntry("auth login");
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry = MakeEntry(std::string(kMaxActionBytes + 1, 'a'));
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry = MakeEntry("auth.login");
  entry.details_json = "";
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry.details_json = "[1,2]";
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry.details_json = "{\"a\":\"\xff\"}";
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry.details_json = "{\"a\":\"" + std::string(kMaxDetailsBytes, 'x') + "\"}";
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);
  entry = MakeEntry("auth.login");
  entry.outcome = static_cast<Outcome>(42);
  EXPECT_EQ(log_->Append(entry).error().code, base::ErrorCode::kInvalidArgument);

  EXPECT_TRUE(ListAll().empty());
  EXPECT_FALSE(std::filesystem::exists(anchor_));
}

TEST_F(AuditLogTest, ReplacesInvalidUtf8AndCutsOverlongFields) {
  Entry entry = MakeEntry("auth.login", Outcome::kFailure);
  entry.actor.username = "ev\xffil";
  entry.actor.device = std::string(kMaxFieldBytes - 1, 'd') + "\xc3\xa9";  // é would cross the cap
  ASSERT_TRUE(log_->Append(entry));
  const auto entries = ListAll();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].actor.username, "ev\xef\xbf\xbdil");
  EXPECT_EQ(entries[0].actor.device, std::string(kMaxFieldBytes - 1, 'd'));
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

TEST_F(AuditLogTest, ListsNewestFirstAndFiltersByTimeRangeHalfOpen) {
  AppendN(5);  // time_ms = t0, t0+1s, ..., t0+4s
  const auto all = ListAll();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all.front().seq, 5);
  EXPECT_EQ(all.back().seq, 1);

  Query query;
  query.from_ms = all[3].time_ms;  // seq 2
  query.to_ms = all[0].time_ms;    // seq 5, excluded
  auto entries = log_->List(query);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].seq, 4);
  EXPECT_EQ((*entries)[2].seq, 2);
}

TEST_F(AuditLogTest, FiltersByExactActionOrDottedPrefix) {
  ASSERT_TRUE(log_->Append(MakeEntry("auth.login")));
  ASSERT_TRUE(log_->Append(MakeEntry("auth.logout")));
  ASSERT_TRUE(log_->Append(MakeEntry("authz.check")));
  ASSERT_TRUE(log_->Append(MakeEntry("camera.view")));
  ASSERT_TRUE(log_->Append(MakeEntry("auth.login.totp")));

  Query query;
  query.action = "auth.login";
  auto exact = log_->List(query);
  ASSERT_TRUE(exact);
  ASSERT_EQ(exact->size(), 1u);
  EXPECT_EQ((*exact)[0].seq, 1);

  query.action = "auth.";
  auto prefix = log_->List(query);
  ASSERT_TRUE(prefix);
  std::vector<std::int64_t> seqs;
  for (const auto& e : *prefix) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{5, 2, 1}));  // not "authz.check"

  query.action = "au%";  // no LIKE semantics
  auto none = log_->List(query);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(AuditLogTest, FiltersByUsernameIgnoringAsciiCaseAndByOutcome) {
  ASSERT_TRUE(log_->Append(MakeEntry("auth.login", Outcome::kSuccess, "Alice")));
  ASSERT_TRUE(log_->Append(MakeEntry("auth.login", Outcome::kFailure, "alice")));
  ASSERT_TRUE(log_->Append(MakeEntry("auth.login", Outcome::kFailure, "bob")));
  ASSERT_TRUE(log_->Append(MakeEntry("camera.view", Outcome::kDenied, "bob")));

  Query query;
  query.username = "ALICE";
  auto alice = log_->List(query);
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->size(), 2u);

  query.outcome = Outcome::kFailure;
  auto alice_failures = log_->List(query);
  ASSERT_TRUE(alice_failures);
  ASSERT_EQ(alice_failures->size(), 1u);
  EXPECT_EQ((*alice_failures)[0].seq, 2);

  Query denied;
  denied.outcome = Outcome::kDenied;
  auto denied_entries = log_->List(denied);
  ASSERT_TRUE(denied_entries);
  ASSERT_EQ(denied_entries->size(), 1u);
  EXPECT_EQ((*denied_entries)[0].action, "camera.view");
}

TEST_F(AuditLogTest, PagesBackwardsWithBeforeSeq) {
  AppendN(7);
  Query query;
  query.limit = 3;
  std::vector<std::int64_t> seen;
  for (;;) {
    auto page = log_->List(query);
    ASSERT_TRUE(page);
    if (page->empty()) break;
    EXPECT_LE(page->size(), 3u);
    for (const auto& e : *page) seen.push_back(e.seq);
    query.before_seq = page->back().seq;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{7, 6, 5, 4, 3, 2, 1}));
}

TEST_F(AuditLogTest, ClampsLimitToOneThroughOneThousand) {
  // List does not verify, so plain rows are enough to exercise the clamp.
  Sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005) "
      "INSERT INTO audit_log SELECT i, i, NULL, '', '', '', '', 'x', '', 'success', '{}', "
      "'', '' FROM n");
  Query query;
  query.limit = 0;
  auto one = log_->List(query);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->size(), 1u);
  query.limit = -5;
  EXPECT_EQ(log_->List(query)->size(), 1u);
  query.limit = 5000;
  auto many = log_->List(query);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->size(), 1000u);
}

TEST_F(AuditLogTest, ChainsEachEntryToThePreviousWithTheDocumentedHmac) {
  AppendN(3);
  Entry anonymous = MakeEntry("setup.owner");
  anonymous.actor.user_id.reset();
  ASSERT_TRUE(log_->Append(anonymous));
  auto entries = ListAll();
  ASSERT_EQ(entries.size(), 4u);
  std::reverse(entries.begin(), entries.end());
  std::string prev(64, '0');
  for (const auto& e : entries) {
    EXPECT_EQ(e.prev_hash, prev) << "seq " << e.seq;
    EXPECT_EQ(e.hash, ExpectedHash(key_, e)) << "seq " << e.seq;
    prev = e.hash;
  }
}

TEST_F(AuditLogTest, AnchorIsPrivateAndRecordsTheHead) {
  AppendN(3);
  struct stat st {};
  ASSERT_EQ(::stat(anchor_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto entries = ListAll();
  EXPECT_EQ(AnchorText(), fmt::format("camguard-audit-anchor 1\nhead 3 {}\n", entries[0].hash));
}

TEST_F(AuditLogTest, IntactLogVerifies) {
  AppendN(5);
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries_checked, 5);
  EXPECT_FALSE(report.first_bad_seq);
  EXPECT_EQ(report.problem, "");
  EXPECT_TRUE(VerifyWithoutAnchor().intact);
}

TEST_F(AuditLogTest, EmptyLogWithoutAnchorFileVerifies) {
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries_checked, 0);
}

TEST_F(AuditLogTest, TriggersRefuseUpdateAndDelete) {
  AppendN(2);
  auto update = db_->Execute("UPDATE audit_log SET target = 'nothing' WHERE seq = 1");
  ASSERT_FALSE(update);
  EXPECT_THAT(update.error().message, HasSubstr("append-only"));
  auto remove = db_->Execute("DELETE FROM audit_log WHERE seq = 2");
  ASSERT_FALSE(remove);
  EXPECT_THAT(remove.error().message, HasSubstr("append-only"));
  EXPECT_EQ(ListAll().size(), 2u);
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

TEST_F(AuditLogTest, UpdatedEntryIsNamedAsAltered) {
  AppendN(6);
  DropTriggers();
  Sql("UPDATE audit_log SET address = '203.0.113.9' WHERE seq = 3");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_EQ(report.entries_checked, 2);
  EXPECT_EQ(report.problem, "entry 3 was altered (hash mismatch)");
}

TEST_F(AuditLogTest, EntryWithRecomputedPlainHashIsStillAltered) {
  // Without the key an attacker can only guess; a SHA-256 over the same bytes is not the HMAC.
  AppendN(3);
  DropTriggers();
  Sql("UPDATE audit_log SET outcome = 'success', hash = lower(hex(randomblob(32))) WHERE seq = 2");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_EQ(report.first_bad_seq, 2);
  EXPECT_THAT(report.problem, HasSubstr("altered"));
}

TEST_F(AuditLogTest, DeletedEntryIsNamedAsRemoved) {
  AppendN(6);
  DropTriggers();
  Sql("DELETE FROM audit_log WHERE seq = 4");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_EQ(report.problem, "entry 4 was removed (gap in seq)");
}

TEST_F(AuditLogTest, SeveralDeletedEntriesAreNamedFromTheFirst) {
  AppendN(6);
  DropTriggers();
  Sql("DELETE FROM audit_log WHERE seq IN (2, 3)");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_EQ(report.first_bad_seq, 2);
  EXPECT_EQ(report.problem, "entries 2 to 3 were removed (gap in seq)");
}

TEST_F(AuditLogTest, SwappedEntriesAreDetectedAtTheFirstSwappedSeq) {
  AppendN(5);
  DropTriggers();
  // Exchange every column but seq between rows 2 and 4.
  Sql("CREATE TEMP TABLE saved AS SELECT * FROM audit_log WHERE seq IN (2, 4);"
      "UPDATE audit_log SET (time_ms, user_id, username, session_id, device, address, action,"
      " target, outcome, details, prev_hash, hash) = (SELECT time_ms, user_id, username,"
      " session_id, device, address, action, target, outcome, details, prev_hash, hash"
      " FROM saved WHERE saved.seq = 6 - audit_log.seq) WHERE seq IN (2, 4);");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 2);
}

TEST_F(AuditLogTest, EntrySplicedFromAnotherLogWithTheSameKeyDoesNotLink) {
  AppendN(3);
  // A second log under the same key: its entry 2 carries a valid HMAC for seq 2, but links to a
  // different entry 1.
  TempDir other_dir;
  auto other_db = store::Database::Open(other_dir.path() / "other.db");
  ASSERT_TRUE(other_db);
  ASSERT_TRUE(store::Migrate(*other_db));
  AuditLog other(*other_db, key_, other_dir.path() / "audit.head", clock_);
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(other.Append(MakeEntry("other.one")));
  ASSERT_TRUE(other.Append(MakeEntry("other.two")));
  auto foreign = other.List(Query{});
  ASSERT_TRUE(foreign);
  const StoredEntry& two = (*foreign)[0];
  ASSERT_EQ(two.seq, 2);

  DropTriggers();
  auto stmt = db_->Prepare(
      "UPDATE audit_log SET time_ms = ?1, action = ?2, prev_hash = ?3, hash = ?4 WHERE seq = 2");
  ASSERT_TRUE(stmt);
  stmt->Bind(1, two.time_ms).Bind(2, two.action).Bind(3, two.prev_hash).Bind(4, two.hash);
  ASSERT_TRUE(stmt->Run());

  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 2);
  EXPECT_EQ(report.problem, "entry 2 is out of order (prev_hash does not link to entry 1)");
}

TEST_F(AuditLogTest, RemovedNewestEntriesAreDetectedOnlyThroughTheAnchor) {
  AppendN(6);
  DropTriggers();
  Sql("DELETE FROM audit_log WHERE seq >= 5");
  // The remaining chain is self-consistent: only the anchor knows it was longer.
  EXPECT_TRUE(VerifyWithoutAnchor().intact);
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 5);
  EXPECT_EQ(report.entries_checked, 4);
  EXPECT_THAT(report.problem, HasSubstr("entries 5 to 6 were removed from the end"));
}

TEST_F(AuditLogTest, EveryEntryRemovedIsDetectedThroughTheAnchor) {
  AppendN(2);
  DropTriggers();
  Sql("DELETE FROM audit_log");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 1);
}

TEST_F(AuditLogTest, ForgedEntryInsertedAtTheEndIsAltered) {
  AppendN(3);
  const std::string head_hash = ListAll()[0].hash;
  // INSERT is allowed by the triggers; the forger does not have the key.
  auto stmt = db_->Prepare(
      "INSERT INTO audit_log VALUES (4, 1, 1, 'admin', '', '', '', 'auth.login', '', 'success',"
      " '{}', ?1, ?2)");
  ASSERT_TRUE(stmt);
  stmt->Bind(1, head_hash).Bind(2, std::string(64, 'a'));
  ASSERT_TRUE(stmt->Run());
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_EQ(report.problem, "entry 4 was altered (hash mismatch)");
}

TEST_F(AuditLogTest, ForgedEntryBeforeTheFirstIsOutOfSequence) {
  AppendN(2);
  Sql("INSERT INTO audit_log VALUES (0, 1, NULL, '', '', '', '', 'x', '', 'success', '{}', '', "
      "'')");
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 0);
  EXPECT_THAT(report.problem, HasSubstr("out of sequence"));
}

TEST_F(AuditLogTest, EntriesAppendedOutsideCamguardAreFlaggedByTheAnchor) {
  AppendN(3);
  // Someone holding the key appends valid entries with their own tool (simulated by a second
  // AuditLog that keeps its own anchor).
  const std::filesystem::path rogue_anchor = dir_.path() / "rogue.head";
  ASSERT_TRUE(Reanchor(*db_, key_, rogue_anchor));
  AuditLog rogue(*db_, key_, rogue_anchor, clock_);
  ASSERT_TRUE(rogue.Append(MakeEntry("camera.view")));
  ASSERT_TRUE(rogue.Append(MakeEntry("camera.view")));

  EXPECT_TRUE(VerifyWithoutAnchor().intact);
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_THAT(report.problem, HasSubstr("entries 4 to 5 were appended outside camguard"));
  // And camguard refuses to chain onto them.
  auto refused = log_->Append(MakeEntry("auth.login"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::kDataLoss);
}

TEST_F(AuditLogTest, ReplacedNewestEntriesDoNotMatchTheAnchor) {
  AppendN(3);
  DropTriggers();
  Sql("DELETE FROM audit_log WHERE seq = 3");
  const std::filesystem::path rogue_anchor = dir_.path() / "rogue.head";
  ASSERT_TRUE(Reanchor(*db_, key_, rogue_anchor));
  AuditLog rogue(*db_, key_, rogue_anchor, clock_);
  ASSERT_TRUE(rogue.Append(MakeEntry("something.else")));
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_EQ(report.problem, "entry 3 does not match the anchor (hash differs)");
}

TEST_F(AuditLogTest, AppendRefusesToHideATruncationAndKeepsTheAnchor) {
  AppendN(4);
  const std::string anchor_before = AnchorText();
  DropTriggers();
  Sql("DELETE FROM audit_log WHERE seq = 4");
  auto refused = log_->Append(MakeEntry("auth.login"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::kDataLoss);
  EXPECT_EQ(ListAll().size(), 3u);
  EXPECT_EQ(AnchorText(), anchor_before);
  EXPECT_EQ(VerifyWithAnchor().first_bad_seq, 4);
}

TEST_F(AuditLogTest, WrongKeyFailsVerificationAtTheFirstEntry) {
  AppendN(3);
  const crypto::SecretKey other(crypto::RandomBytes(crypto::SecretKey::kSize));
  auto report = Verify(*db_, other, anchor_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_bad_seq, 1);
  EXPECT_THAT(report->problem, HasSubstr("key"));
}

TEST_F(AuditLogTest, MissingAnchorWithEntriesIsReportedAndBlocksAppend) {
  AppendN(2);
  std::filesystem::remove(anchor_);
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_THAT(report.problem, HasSubstr("missing"));
  auto refused = log_->Append(MakeEntry("auth.login"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::kDataLoss);
}

TEST_F(AuditLogTest, MalformedAnchorIsReported) {
  AppendN(2);
  ASSERT_TRUE(base::WritePrivateFile(anchor_, "camguard-audit-anchor 1\nhead two xyz\n"));
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_FALSE(report.intact);
  EXPECT_THAT(report.problem, HasSubstr("malformed"));
  EXPECT_FALSE(log_->Append(MakeEntry("auth.login")));
}

TEST_F(AuditLogTest, ReanchorRestoresAnIntactLogAndRefusesABrokenOne) {
  AppendN(3);
  std::filesystem::remove(anchor_);
  auto restored = Reanchor(*db_, key_, anchor_);
  ASSERT_TRUE(restored);
  EXPECT_TRUE(restored->intact);
  EXPECT_TRUE(VerifyWithAnchor().intact);
  auto seq = log_->Append(MakeEntry("auth.login"));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 4);

  DropTriggers();
  Sql("UPDATE audit_log SET target = 'x' WHERE seq = 2");
  const std::string anchor_before = AnchorText();
  auto refused = Reanchor(*db_, key_, anchor_);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->intact);
  EXPECT_EQ(refused->first_bad_seq, 2);
  EXPECT_EQ(AnchorText(), anchor_before);
}

TEST_F(AuditLogTest, CrashAfterCommitBeforeAnchorRewriteIsAccepted) {
  AppendN(3);
  const auto entries = ListAll();
  // State left by a process that committed entry 3 and stopped before dropping "pending".
  ASSERT_TRUE(base::WritePrivateFile(
      anchor_, fmt::format("camguard-audit-anchor 1\nhead 2 {}\npending 3 {}\n", entries[1].hash,
                           entries[0].hash)));
  EXPECT_TRUE(VerifyWithAnchor().intact);
  auto seq = log_->Append(MakeEntry("auth.login"));
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_EQ(*seq, 4);
  EXPECT_EQ(AnchorText().find("pending"), std::string::npos);
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

TEST_F(AuditLogTest, CrashBeforeCommitIsAccepted) {
  AppendN(3);
  const auto entries = ListAll();
  ASSERT_TRUE(base::WritePrivateFile(
      anchor_, fmt::format("camguard-audit-anchor 1\nhead 3 {}\npending 4 {}\n", entries[0].hash,
                           std::string(64, 'c'))));
  EXPECT_TRUE(VerifyWithAnchor().intact);
  auto seq = log_->Append(MakeEntry("auth.login"));
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_EQ(*seq, 4);
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

TEST_F(AuditLogTest, TwoConnectionsAppendingInTurnKeepOneChain) {
  // Like the daemon and a CLI command writing to the same data directory.
  auto second_db = OpenDb();
  ASSERT_TRUE(second_db);
  AuditLog second(*second_db, key_, anchor_, clock_);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(log_->Append(MakeEntry("first.writer")));
    ASSERT_TRUE(second.Append(MakeEntry("second.writer")));
  }
  const VerifyReport report = VerifyWithAnchor();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries_checked, 8);
}

TEST_F(AuditLogTest, AppendInsideAnOpenTransactionIsRefusedAndLeavesItUsable) {
  // A rolled-back row would otherwise be described by the anchor and look like a truncation.
  AppendN(1);
  const std::string anchor_before = AnchorText();
  {
    auto tx = store::Transaction::Begin(*db_);
    ASSERT_TRUE(tx);
    Sql("CREATE TABLE caller_work (x INTEGER); INSERT INTO caller_work VALUES (1);");
    auto refused = log_->Append(MakeEntry("user.create"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, base::ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(tx->Commit());
  }
  auto stmt = db_->Prepare("SELECT count(*) FROM caller_work");
  ASSERT_TRUE(stmt && *stmt->Step());
  EXPECT_EQ(stmt->ColumnInt(0), 1);
  EXPECT_EQ(AnchorText(), anchor_before);
  auto seq = log_->Append(MakeEntry("user.create"));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 2);
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

TEST_F(AuditLogTest, SurvivesReopeningTheDatabase) {
  AppendN(2);
  log_.reset();
  db_.reset();
  db_ = OpenDb();
  ASSERT_TRUE(db_);
  log_.emplace(*db_, key_, anchor_, clock_);
  auto seq = log_->Append(MakeEntry("auth.login"));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 3);
  EXPECT_TRUE(VerifyWithAnchor().intact);
}

}  // namespace
}  // namespace camguard::audit

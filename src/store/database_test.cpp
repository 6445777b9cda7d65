// SPDX-License-Identifier: Apache-2.0
#include "store/database.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace camguard::store {
namespace {

using ::testing::HasSubstr;

using camguard::testing::TempDir;

unsigned Mode(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// Runs a query expected to return exactly one row with one column.
std::string QueryText(Database& db, std::string_view sql) {
  auto stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt) << sql;
  if (!stmt) return {};
  auto row = stmt->Step();
  EXPECT_TRUE(row && *row) << sql;
  return (row && *row) ? stmt->ColumnText(0) : std::string();
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::OpenInMemory();
    ASSERT_TRUE(db) << db.error().message;
    db_.emplace(std::move(*db));
    ASSERT_TRUE(db_->Execute(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES "
        "parent(id), size INTEGER CHECK (size >= 0)) STRICT;"
        "CREATE TABLE anything (v ANY) STRICT;"));
  }

  std::optional<Database> db_;
};

TEST(DatabaseFile, IsCreatedWithMode0600InWalModeWithFullSync) {
  TempDir dir;
  const mode_t old_mask = ::umask(022);
  const auto path = dir.path() / "camguard.db";
  auto db = Database::Open(path);
  ::umask(old_mask);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(Mode(path), 0600u);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(QueryText(*db, "PRAGMA secure_delete"), "1");

  // The write-ahead log inherits the database file's mode.
  ASSERT_TRUE(db->Execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"));
  auto wal = path;
  wal += "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_EQ(Mode(wal), 0600u);
}

TEST(DatabaseFile, RestoresTheProcessUmask) {
  TempDir dir;
  const mode_t old_mask = ::umask(022);
  ASSERT_TRUE(Database::Open(dir.path() / "a.db"));
  EXPECT_EQ(::umask(old_mask), 022u);
}

TEST(DatabaseFile, KeepsDataAcrossReopen) {
  TempDir dir;
  const auto path = dir.path() / "camguard.db";
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Execute("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept');"));
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(QueryText(*db, "SELECT x FROM t"), "kept");
}

TEST(DatabaseFile, OpeningADirectoryFails) {
  TempDir dir;
  auto db = Database::Open(dir.path());
  EXPECT_FALSE(db);
}

TEST(DatabaseFile, BusyWriterIsReportedAsUnavailable) {
  TempDir dir;
  const auto path = dir.path() / "camguard.db";
  auto first = Database::Open(path);
  auto second = Database::Open(path);
  ASSERT_TRUE(first && second);
  sqlite3_busy_timeout(second->raw(), 0);  // fail at once instead of waiting 5 s
  auto holding = Transaction::Begin(*first);
  ASSERT_TRUE(holding);
  auto blocked = Transaction::Begin(*second);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, base::ErrorCode::kUnavailable);
}

TEST_F(DatabaseTest, BindsAndReadsBackEveryType) {
  auto insert = db_->Prepare("INSERT INTO anything (v) VALUES (?1)");
  ASSERT_TRUE(insert);
  const std::string blob("\x00\x01\xff", 3);
  const std::string text_with_nul("a\0b", 3);
  const std::int64_t big = std::numeric_limits<std::int64_t>::min();
  insert->Bind(1, big);
  ASSERT_TRUE(insert->Run());
  insert->Reset();
  insert->Bind(1, text_with_nul);
  ASSERT_TRUE(insert->Run());
  insert->Reset();
  insert->BindBlob(1, blob);
  ASSERT_TRUE(insert->Run());
  insert->Reset();
  insert->Bind(1, nullptr);
  ASSERT_TRUE(insert->Run());
  insert->Reset();
  insert->BindValue(1, Value(2.5));
  ASSERT_TRUE(insert->Run());

  auto select = db_->Prepare("SELECT v, typeof(v) FROM anything ORDER BY rowid");
  ASSERT_TRUE(select);
  const auto next = [&]() {
    auto row = select->Step();
    EXPECT_TRUE(row && *row);
  };
  next();
  EXPECT_EQ(select->ColumnInt(0), big);
  next();
  EXPECT_EQ(select->ColumnText(0), text_with_nul);
  EXPECT_EQ(select->ColumnText(1), "text");
  next();
  EXPECT_EQ(select->ColumnText(0), blob);
  EXPECT_EQ(select->ColumnText(1), "blob");
  next();
  EXPECT_TRUE(select->ColumnIsNull(0));
  EXPECT_EQ(select->ColumnOptionalInt(0), std::nullopt);
  next();
  EXPECT_EQ(select->ColumnText(1), "real");
  EXPECT_EQ(select->ColumnCount(), 2);
  auto done = select->Step();
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);
}

TEST_F(DatabaseTest, EmptyStringsAndBlobsAreNotNull) {
  // A default string_view has a null data pointer, which SQLite would bind as NULL.
  auto insert = db_->Prepare("INSERT INTO anything (v) VALUES (?1)");
  ASSERT_TRUE(insert);
  insert->Bind(1, std::string_view());
  ASSERT_TRUE(insert->Run());
  insert->Reset();
  insert->BindBlob(1, std::string_view());
  ASSERT_TRUE(insert->Run());
  insert->Reset();
  insert->Bind(1, std::string());
  ASSERT_TRUE(insert->Run());
  auto types = db_->Prepare("SELECT group_concat(typeof(v), ',') FROM anything");
  ASSERT_TRUE(types && *types->Step());
  EXPECT_EQ(types->ColumnText(0), "text,blob,text");
}

TEST_F(DatabaseTest, BindsEveryValueAlternative) {
  auto stmt = db_->Prepare("SELECT typeof(?1), typeof(?2), typeof(?3), typeof(?4)");
  ASSERT_TRUE(stmt);
  stmt->BindValue(1, Value(nullptr))
      .BindValue(2, Value(std::int64_t{7}))
      .BindValue(3, Value(1.5))
      .BindValue(4, Value(std::string("x")));
  ASSERT_TRUE(stmt->Step());
  EXPECT_EQ(stmt->ColumnText(0), "null");
  EXPECT_EQ(stmt->ColumnText(1), "integer");
  EXPECT_EQ(stmt->ColumnText(2), "real");
  EXPECT_EQ(stmt->ColumnText(3), "text");
}

TEST_F(DatabaseTest, BindErrorSurfacesAtStep) {
  auto stmt = db_->Prepare("SELECT ?1");
  ASSERT_TRUE(stmt);
  stmt->Bind(2, std::int64_t{1});  // no such parameter
  auto row = stmt->Step();
  ASSERT_FALSE(row);
  EXPECT_THAT(row.error().message, HasSubstr("bind"));
  stmt->Reset();  // clears the recorded error with the bindings
  stmt->Bind(1, std::int64_t{5});
  ASSERT_TRUE(stmt->Step());
  EXPECT_EQ(stmt->ColumnInt(0), 5);
}

TEST_F(DatabaseTest, PrepareRejectsBrokenOrEmptySql) {
  auto broken = db_->Prepare("SELEC 1");
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().message, HasSubstr("syntax error"));
  auto empty = db_->Prepare("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(db_->Prepare("  -- only a comment"));
  EXPECT_FALSE(db_->Prepare("SELECT * FROM no_such_table"));
}

TEST_F(DatabaseTest, ExecuteRunsSeveralStatementsAndReportsSqliteMessages) {
  ASSERT_TRUE(
      db_->Execute("INSERT INTO parent VALUES (1, 'a'); INSERT INTO parent VALUES (2, 'b');"));
  EXPECT_EQ(QueryText(*db_, "SELECT count(*) FROM parent"), "2");
  auto failed = db_->Execute("INSERT INTO nowhere VALUES (1)");
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr("no such table: nowhere"));
}

TEST_F(DatabaseTest, ReportsLastInsertRowIdAndChanges) {
  ASSERT_TRUE(db_->Execute("INSERT INTO parent (name) VALUES ('a'), ('b'), ('c')"));
  EXPECT_EQ(db_->Changes(), 3);
  EXPECT_EQ(db_->LastInsertRowId(), 3);
  ASSERT_TRUE(db_->Execute("DELETE FROM parent WHERE id < 3"));
  EXPECT_EQ(db_->Changes(), 2);
}

TEST_F(DatabaseTest, ConstraintFailuresMapToDistinctErrorCodes) {
  ASSERT_TRUE(db_->Execute("INSERT INTO parent VALUES (1, 'a')"));
  const auto code_of = [&](std::string_view sql) {
    auto status = db_->Execute(sql);
    EXPECT_FALSE(status) << sql;
    return status ? base::ErrorCode::kInternal : status.error().code;
  };
  EXPECT_EQ(code_of("INSERT INTO parent VALUES (2, 'a')"), base::ErrorCode::kAlreadyExists);
  EXPECT_EQ(code_of("INSERT INTO parent VALUES (1, 'z')"), base::ErrorCode::kAlreadyExists);
  EXPECT_EQ(code_of("INSERT INTO parent VALUES (3, NULL)"), base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of("INSERT INTO child VALUES (1, 1, -1)"), base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of("INSERT INTO child VALUES (1, 'one', 1)"), base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of("INSERT INTO child VALUES (1, 99, 1)"), base::ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(
      db_->Execute("CREATE TRIGGER frozen BEFORE DELETE ON parent "
                   "BEGIN SELECT RAISE(ABORT, 'frozen'); END"));
  EXPECT_EQ(code_of("DELETE FROM parent"), base::ErrorCode::kFailedPrecondition);
}

TEST_F(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db_->Execute("INSERT INTO parent VALUES (1, 'dropped')"));
  }
  EXPECT_EQ(QueryText(*db_, "SELECT count(*) FROM parent"), "0");
  {
    auto tx = Transaction::Begin(*db_, /*immediate=*/false);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db_->Execute("INSERT INTO parent VALUES (1, 'kept')"));
    ASSERT_TRUE(tx->Commit());
    auto again = tx->Commit();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, base::ErrorCode::kFailedPrecondition);
  }
  EXPECT_EQ(QueryText(*db_, "SELECT name FROM parent"), "kept");
}

TEST_F(DatabaseTest, MovedTransactionRollsBackOnce) {
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx);
    Transaction moved(std::move(*tx));
    ASSERT_TRUE(db_->Execute("INSERT INTO parent VALUES (1, 'dropped')"));
  }
  EXPECT_EQ(QueryText(*db_, "SELECT count(*) FROM parent"), "0");
  // No transaction is left open: a new one can begin.
  EXPECT_TRUE(Transaction::Begin(*db_));
}

TEST_F(DatabaseTest, NestedBeginFails) {
  auto outer = Transaction::Begin(*db_);
  ASSERT_TRUE(outer);
  EXPECT_FALSE(Transaction::Begin(*db_));
}

TEST_F(DatabaseTest, RunResetsAReturningStatementSoCommitSucceeds) {
  // Research pitfall: a RETURNING statement left mid-step keeps the write open and COMMIT fails
  // with "SQL statements in progress".
  auto tx = Transaction::Begin(*db_);
  ASSERT_TRUE(tx);
  auto stmt = db_->Prepare("INSERT INTO parent (name) VALUES (?1) RETURNING id");
  ASSERT_TRUE(stmt);
  stmt->Bind(1, "returned");
  ASSERT_TRUE(stmt->Run());
  EXPECT_TRUE(tx->Commit());
  EXPECT_EQ(QueryText(*db_, "SELECT name FROM parent"), "returned");
}

TEST_F(DatabaseTest, SqlInjectionThroughBoundTextIsInert) {
  auto stmt = db_->Prepare("INSERT INTO parent (name) VALUES (?1)");
  ASSERT_TRUE(stmt);
  stmt->Bind(1, "x'); DROP TABLE parent; --");
  ASSERT_TRUE(stmt->Run());
  EXPECT_EQ(QueryText(*db_, "SELECT name FROM parent"), "x'); DROP TABLE parent; --");
}

TEST(DatabaseMove, TransfersTheConnection) {
  auto db = Database::OpenInMemory();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Execute("CREATE TABLE t (x INTEGER)"));
  Database moved(std::move(*db));
  EXPECT_TRUE(moved.Execute("INSERT INTO t VALUES (1)"));
  auto other = Database::OpenInMemory();
  ASSERT_TRUE(other);
  moved = std::move(*other);  // closes the first connection
  EXPECT_FALSE(moved.Execute("INSERT INTO t VALUES (1)"));
}

}  // namespace
}  // namespace camguard::store

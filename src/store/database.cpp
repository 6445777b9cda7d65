// SPDX-License-Identifier: Apache-2.0
#include "store/database.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <utility>

#include <fmt/format.h>

namespace camguard::store {

using base::ErrorCode;
using base::Fail;

base::Error SqliteError(int rc, std::string_view context, sqlite3* db) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = ErrorCode::kUnavailable; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: code = ErrorCode::kDataLoss; break;
    case SQLITE_FULL: code = ErrorCode::kResourceExhausted; break;
    case SQLITE_CONSTRAINT:
      // Extended codes (enabled in Open) tell a duplicate from a broken rule; the API maps
      // AlreadyExists to 409, which would be wrong for a foreign key or CHECK failure.
      switch (rc) {
        case SQLITE_CONSTRAINT_CHECK:
        case SQLITE_CONSTRAINT_NOTNULL:
        case SQLITE_CONSTRAINT_DATATYPE: code = ErrorCode::kInvalidArgument; break;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
        case SQLITE_CONSTRAINT_TRIGGER: code = ErrorCode::kFailedPrecondition; break;
        default: code = ErrorCode::kAlreadyExists; break;
      }
      break;
    case SQLITE_PERM:
    case SQLITE_READONLY: code = ErrorCode::kPermissionDenied; break;
    case SQLITE_CANTOPEN: code = ErrorCode::kUnavailable; break;
    default: break;
  }
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return base::Error{code, fmt::format("{}: {}", context, detail)};
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_status_(std::move(other.bind_status_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_status_ = std::move(other.bind_status_);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

namespace {
void RecordBind(Status& status, int rc, sqlite3* db) {
  if (rc != SQLITE_OK && status) status = tl::unexpected(SqliteError(rc, "bind", db));
}
}  // namespace

Statement& Statement::Bind(int index, std::int64_t value) {
  RecordBind(bind_status_, sqlite3_bind_int64(stmt_, index, value), db_);
  return *this;
}

// SQLite binds NULL for a null data pointer, which a default-constructed string_view has; an
// empty value must stay an empty value.
namespace {
const char* NonNull(std::string_view bytes) { return bytes.data() != nullptr ? bytes.data() : ""; }
}  // namespace

Statement& Statement::Bind(int index, std::string_view text) {
  RecordBind(
      bind_status_,
      sqlite3_bind_text64(stmt_, index, NonNull(text), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      db_);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  RecordBind(bind_status_,
             sqlite3_bind_blob64(stmt_, index, NonNull(bytes), bytes.size(), SQLITE_TRANSIENT),
             db_);
  return *this;
}

Statement& Statement::BindNull(int index) {
  RecordBind(bind_status_, sqlite3_bind_null(stmt_, index), db_);
  return *this;
}

Statement& Statement::BindValue(int index, const Value& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          BindNull(index);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          Bind(index, v);
        } else if constexpr (std::is_same_v<T, double>) {
          RecordBind(bind_status_, sqlite3_bind_double(stmt_, index, v), db_);
        } else {
          Bind(index, std::string_view(v));
        }
      },
      value);
  return *this;
}

Result<bool> Statement::Step() {
  if (!bind_status_) return tl::unexpected(bind_status_.error());
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  auto error = SqliteError(rc, "step", db_);
  sqlite3_reset(stmt_);
  return tl::unexpected(std::move(error));
}

Status Statement::Run() {
  for (;;) {
    CAMGUARD_TRY(const bool row, Step());
    if (!row) break;
  }
  // Reset so the statement never holds the write transaction open (a known SQLite
  // trap with RETURNING: COMMIT fails with "SQL statements in progress").
  sqlite3_reset(stmt_);
  return base::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_status_ = base::Ok();
}

std::int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::ColumnText(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::ColumnOptionalInt(int index) const {
  if (ColumnIsNull(index)) return std::nullopt;
  return ColumnInt(index);
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

Result<Database> Database::Open(const std::filesystem::path& path) {
  // Create the file with 0600 before SQLite does, so it never exists world-readable.
  const mode_t old_mask = ::umask(0077);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  ::umask(old_mask);
  if (rc != SQLITE_OK) {
    auto error = SqliteError(rc, fmt::format("cannot open database {}", path.string()), db);
    sqlite3_close(db);
    return tl::unexpected(std::move(error));
  }
  Database database(db);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  CAMGUARD_TRY_STATUS(
      database.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                       " PRAGMA secure_delete=ON; PRAGMA trusted_schema=OFF;"));
  return database;
}

Result<Database> Database::OpenInMemory() {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    auto error = SqliteError(rc, "cannot open in-memory database", db);
    sqlite3_close(db);
    return tl::unexpected(std::move(error));
  }
  Database database(db);
  sqlite3_extended_result_codes(db, 1);
  CAMGUARD_TRY_STATUS(database.Execute("PRAGMA foreign_keys=ON;"));
  return database;
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

std::filesystem::path Database::path() const {
  const char* file = db_ != nullptr ? sqlite3_db_filename(db_, "main") : nullptr;
  return file != nullptr ? std::filesystem::path(file) : std::filesystem::path();
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Execute(std::string_view sql) {
  const std::string owned(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    auto error = SqliteError(rc, "execute", nullptr);
    error.message = "execute: " + detail;
    return tl::unexpected(std::move(error));
  }
  return base::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(SqliteError(rc, "prepare", db_));
  // Empty text or only a comment compiles to no statement at all.
  if (stmt == nullptr) return Fail(ErrorCode::kInvalidArgument, "prepare: no SQL statement");
  return Statement(db_, stmt);
}

std::int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Result<Transaction> Transaction::Begin(Database& db, bool immediate) {
  CAMGUARD_TRY_STATUS(db.Execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Execute("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Fail(ErrorCode::kFailedPrecondition, "transaction already finished");
  auto status = db_->Execute("COMMIT");
  if (status) db_ = nullptr;
  return status;
}

}  // namespace camguard::store

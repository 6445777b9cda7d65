// SPDX-License-Identifier: Apache-2.0
// Thin RAII layer over the SQLite C API that returns Result instead of throwing.
// Thread: a Database is used by one thread at a time (the event loop in the daemon).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace camguard::store {

using base::Result;
using base::Status;

// A bound parameter or column value.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds by 1-based position.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view text);
  // Exact matches for the common argument types, so a call never depends on a user-defined
  // conversion (and Bind(i, nullptr) binds NULL instead of reading a null char pointer).
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, std::nullptr_t) { return BindNull(index); }
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  Statement& BindValue(int index, const Value& value);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements without rows).
  Status Run();
  void Reset();

  std::int64_t ColumnInt(int index) const;
  std::string ColumnText(int index) const;  // text or blob bytes
  bool ColumnIsNull(int index) const;
  std::optional<std::int64_t> ColumnOptionalInt(int index) const;
  int ColumnCount() const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status bind_status_;
};

class Database {
 public:
  // Opens (creating if needed) with WAL, foreign keys, a busy timeout and file mode 0600.
  static Result<Database> Open(const std::filesystem::path& path);
  static Result<Database> OpenInMemory();

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Status Execute(std::string_view sql);  // one or more statements without parameters
  Result<Statement> Prepare(std::string_view sql);
  std::int64_t LastInsertRowId() const;
  int Changes() const;

  sqlite3* raw() const { return db_; }
  // The database file, for opening another connection to it (another thread's); empty for an
  // in-memory database.
  std::filesystem::path path() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// RAII transaction: rolls back unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db, bool immediate = true);
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// Maps an SQLite result code to an error (SQLITE_BUSY → Unavailable, CORRUPT → DataLoss, ...).
base::Error SqliteError(int rc, std::string_view context, sqlite3* db);

}  // namespace camguard::store

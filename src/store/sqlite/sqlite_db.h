#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/result.h"

// Thin RAII over the sqlite3 C API. A Connection is used by one thread at a time.
namespace worklog::store::sqlite {

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// The one place SQLite result codes become Errors: unique/primary-key violations are
// kConflict, foreign-key violations kNotFound, busy/locked kUnavailable.
Error SqliteError(sqlite3* db, int code, std::string_view context);

// A prepared statement borrowed from its Connection's cache; reset and unbound when it
// goes out of scope. Parameters are 1-based (`?1`), columns 0-based.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept
      : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view{value});
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view{value}); }
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& Bind(int index, const std::optional<int64_t>& value);
  Statement& BindNull(int index);
  Statement& BindBlob(int index, std::string_view bytes);

  // Ready to run again with new bindings.
  void Reset() { sqlite3_reset(statement_); }
  // Next row: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion; returns sqlite3_changes().
  Result<int64_t> Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;
  bool IsNull(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_;
};

class Connection {
 public:
  // Opens (creating when missing) the database at `path` and applies the per-connection
  // settings: WAL, synchronous=FULL, foreign keys, a busy timeout.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&&) = delete;
  Connection& operator=(Connection&&) = delete;
  ~Connection() = default;

  // Runs one or more statements without parameters.
  Status Exec(std::string_view sql);
  // A cached prepared statement for `sql`, which must outlive the connection (a named
  // constant): the cache is keyed by its address.
  Result<Statement> Prepare(std::string_view sql);
  // Runs one statement without parameters or result rows through Prepare's cache (Exec
  // would parse it again each time). The same rule for `sql`.
  Status RunCached(std::string_view sql);

  sqlite3* get() const { return db_.get(); }

 private:
  explicit Connection(DbPtr db) : db_(std::move(db)) {}

  DbPtr db_;
  std::unordered_map<const char*, StatementPtr> cache_;
};

// BEGIN IMMEDIATE (or DEFERRED for reads) ... COMMIT; rolls back unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& connection, bool immediate = true);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&& other) noexcept
      : connection_(std::exchange(other.connection_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;  // null once committed or rolled back
};

}  // namespace worklog::store::sqlite

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "common/result.h"

// Thin RAII over libpq: connections, results, parameters and a connection pool.
namespace worklog::store::postgres {

struct ConnDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Text-format query parameters ($1, $2, ...).
class Params {
 public:
  Params& Add(int64_t value);
  Params& Add(std::string_view value);
  Params& Add(const char* value) { return Add(std::string_view{value}); }
  Params& Add(const std::string& value) { return Add(std::string_view{value}); }
  Params& Add(bool value);
  Params& Add(const std::optional<std::string>& value);
  Params& Add(const std::optional<int64_t>& value);
  Params& AddNull();
  // Raw bytes for a BYTEA parameter (sent in binary format).
  Params& AddBinary(std::string_view bytes);

  int size() const { return static_cast<int>(values_.size()); }
  // Arrays for PQexecParams; valid while this object is unchanged.
  std::vector<const char*> Pointers() const;
  std::vector<int> Lengths() const;
  const std::vector<int>& Formats() const { return formats_; }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;  // 0 text, 1 binary; one per value
};

// Element types of the arrays below (pg_type.oid).
enum class PgType : uint32_t { kBytea = 17, kInt8 = 20, kText = 25 };

// A one-dimensional array without NULLs in PostgreSQL's binary format (array_recv), for a
// parameter sent with Params::AddBinary and cast in the SQL ($1::text[], $2::bytea[]): no
// escaping, quoting or hex on either side, whatever the bytes.
std::string PgBinaryArray(PgType element_type, const std::vector<std::string_view>& elements);
std::string PgBinaryArray(const std::vector<int64_t>& elements);  // bigint[]

// The rows of a successful query, text format.
class Rows {
 public:
  explicit Rows(ResultPtr result) : result_(std::move(result)) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  int64_t Affected() const;  // rows changed by INSERT/UPDATE/DELETE

  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const;
  // A BYTEA column (text format: "\\x" and hex digits) as raw bytes.
  std::string Bytea(int row, int column) const;
  std::optional<std::string> OptionalText(int row, int column) const;
  int64_t Int(int row, int column) const;
  std::optional<int64_t> OptionalInt(int row, int column) const;
  bool Bool(int row, int column) const;  // 't' / 'f'

 private:
  ResultPtr result_;
};

// The one place libpq failures become Errors: SQLSTATE 23505 (unique) is kConflict, 23503
// (foreign key) kNotFound, serialization failures, deadlocks, shutdowns and lost
// connections kUnavailable.
Error PgError(PGconn* connection, const PGresult* result, std::string_view context);

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&&) = delete;
  Connection& operator=(Connection&&) = delete;
  ~Connection() = default;

  // One statement with parameters.
  Result<Rows> Exec(std::string_view sql, const Params& params = {});
  // One or more statements without parameters (migrations, BEGIN/COMMIT).
  Status ExecScript(std::string_view sql);

  // True once the server connection is gone; such a connection is never reused.
  bool Broken() const { return PQstatus(connection_.get()) != CONNECTION_OK; }
  bool OutsideTransaction() const { return PQtransactionStatus(connection_.get()) == PQTRANS_IDLE; }
  // Notices a connection the server closed while it sat idle in the pool.
  bool CheckAlive();

 private:
  explicit Connection(ConnPtr connection) : connection_(std::move(connection)) {}
  ConnPtr connection_;
};

// BEGIN ... COMMIT; rolls back unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& connection, std::string_view begin_sql = "BEGIN");
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

// A bounded pool of connections, thread-safe. Connections are opened on demand up to
// `max_size`; a broken connection is dropped and replaced by a fresh one on next use.
// Background work (store::BackgroundWrites: the GitLab workers) holds at most half of
// them and waits while anyone else waits: a webhook's acknowledgement or a person's
// request never queues behind the workers for a connection.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection, bool background)
        : pool_(pool), connection_(std::move(connection)), background_(background) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          connection_(std::move(other.connection_)),
          background_(other.background_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
    bool background_;
  };

  Pool(std::string conninfo, int max_size) : conninfo_(std::move(conninfo)), max_size_(max_size) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  Pool(Pool&&) = delete;
  Pool& operator=(Pool&&) = delete;
  ~Pool() = default;

  Result<Lease> Acquire();

  // `count` callers (negative: fewer) now wait for the database outside the pool (for a
  // group of webhook deliveries: InboxInsertGroups); background work waits for them as it
  // waits for those queued here.
  void AddWaiting(int count);

  // Runs `fn(Connection&)` -> Result<T>. When it fails because the connection was lost
  // and `retry_on_lost_connection` is set (the operation is safe to repeat), runs it once
  // more on a fresh connection.
  template <typename Fn>
  auto Run(Fn&& fn, bool retry_on_lost_connection = true)
      -> std::invoke_result_t<Fn&, Connection&> {
    for (int attempt = 0;; ++attempt) {
      auto lease = Acquire();
      if (!lease) {
        return tl::unexpected(lease.error());
      }
      auto result = fn(**lease);
      if (result || !(*lease)->Broken() || !retry_on_lost_connection || attempt > 0) {
        return result;
      }
    }
  }

 private:
  void Release(std::unique_ptr<Connection> connection, bool background);
  bool Free() const { return !idle_.empty() || open_ < max_size_; }  // under mutex_
  // Wakes the waiter that may take a free connection now; under mutex_.
  void PassOn();

  const std::string conninfo_;
  const int max_size_;
  std::mutex mutex_;
  std::condition_variable released_;               // for everyone but background work
  std::condition_variable background_released_;    // for background work
  std::vector<std::unique_ptr<Connection>> idle_;  // Guarded by mutex_.
  int open_ = 0;                                   // Guarded by mutex_.
  int others_waiting_ = 0;                         // Guarded by mutex_: not background
  int background_held_ = 0;                        // Guarded by mutex_.
};

}  // namespace worklog::store::postgres

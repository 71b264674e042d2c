#include "store/sqlite/sqlite_db.h"

#include <cstdlib>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace worklog::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 10'000;

// Durability: in WAL mode synchronous=FULL fsyncs the WAL on every commit, so a write that
// returned survives power loss, not only a crash of the process (NORMAL would not).
constexpr std::string_view kConnectionSettings = R"sql(
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = FULL;
  PRAGMA foreign_keys = ON;
  PRAGMA temp_store = MEMORY;
)sql";

// worklog_unhex(text): the bytes of a string of hex digits as a BLOB, NULL for anything
// else (migrations/sqlite/0032_compact_activities.sql; SQLite < 3.41 has no unhex()).
void Unhex(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_null(context);
    return;
  }
  const auto* text = sqlite3_value_text(argv[0]);
  const int size = sqlite3_value_bytes(argv[0]);
  auto digit = [](unsigned char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  if (size % 2 != 0) {
    sqlite3_result_null(context);
    return;
  }
  std::string bytes(static_cast<std::size_t>(size / 2), '\0');
  for (int i = 0; i < size; i += 2) {
    const int high = digit(text[i]);
    const int low = digit(text[i + 1]);
    if (high < 0 || low < 0) {
      sqlite3_result_null(context);
      return;
    }
    bytes[static_cast<std::size_t>(i / 2)] = static_cast<char>(high * 16 + low);
  }
  sqlite3_result_blob(context, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

void CheckBind(sqlite3* db, int code) {
  if (code != SQLITE_OK) {
    // A wrong index or type is a bug in our SQL, not a runtime condition.
    spdlog::critical("sqlite bind failed: {}", sqlite3_errmsg(db));
    std::abort();
  }
}

}  // namespace

Error SqliteError(sqlite3* db, int code, std::string_view context) {
  std::string message =
      fmt::format("{}: {}", context, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return {ErrorCode::kConflict, {}, std::move(message)};
  }
  if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return {ErrorCode::kNotFound, {}, std::move(message)};
  }
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    return {ErrorCode::kUnavailable, {}, std::move(message)};
  }
  return {ErrorCode::kInternal, {}, std::move(message)};
}

Statement::~Statement() {
  if (statement_ != nullptr) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  CheckBind(db_, sqlite3_bind_int64(statement_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  CheckBind(db_, sqlite3_bind_text64(statement_, index, value.data(), value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view{*value}) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  CheckBind(db_, sqlite3_bind_null(statement_, index));
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  CheckBind(db_,
            sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  return *this;
}

Result<bool> Statement::Step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) {
    return true;
  }
  if (code == SQLITE_DONE) {
    return false;
  }
  return tl::unexpected(SqliteError(db_, sqlite3_extended_errcode(db_), "sqlite step"));
}

Result<int64_t> Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return static_cast<int64_t>(sqlite3_changes64(db_));
    }
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(statement_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (text == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::string Statement::Blob(int column) const {
  const void* bytes = sqlite3_column_blob(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (bytes == nullptr) {
    return {};
  }
  return {static_cast<const char*>(bytes), static_cast<std::size_t>(size)};
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Text(column);
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Int(column);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int code =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (code != SQLITE_OK) {
    return tl::unexpected(
        SqliteError(db.get(), code, fmt::format("cannot open SQLite database {}", path)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  sqlite3_create_function_v2(db.get(), "worklog_unhex", 1,
                             SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr, &Unhex,
                             nullptr, nullptr, nullptr);
  std::unique_ptr<Connection> connection(new Connection(std::move(db)));
  if (auto status = connection->Exec(kConnectionSettings); !status) {
    return tl::unexpected(status.error());
  }
  return connection;
}

Status Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int code = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (code != SQLITE_OK) {
    return tl::unexpected(
        SqliteError(db_.get(), sqlite3_extended_errcode(db_.get()), "sqlite exec"));
  }
  return {};
}

Status Connection::RunCached(std::string_view sql) {
  auto statement = Prepare(sql);
  if (!statement) {
    return tl::unexpected(statement.error());
  }
  if (auto ran = statement->Run(); !ran) {
    return tl::unexpected(ran.error());
  }
  return {};
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto found = cache_.find(sql.data());
  if (found == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int code = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementPtr statement(raw);
    if (code != SQLITE_OK) {
      return tl::unexpected(SqliteError(db_.get(), code, "sqlite prepare"));
    }
    found = cache_.emplace(sql.data(), std::move(statement)).first;
  }
  return Statement(db_.get(), found->second.get());
}

namespace {

// Transaction control as cached prepared statements (Connection::Prepare keys them by these
// addresses): sqlite3_exec would parse the text again each time, and every read is a
// transaction (three per Activity Feed read served from its cache).
constexpr std::string_view kBegin = "BEGIN";
constexpr std::string_view kBeginImmediate = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";

}  // namespace

Result<Transaction> Transaction::Begin(Connection& connection, bool immediate) {
  if (auto status = connection.RunCached(immediate ? kBeginImmediate : kBegin); !status) {
    return tl::unexpected(status.error());
  }
  return Transaction(&connection);
}

Transaction::~Transaction() {
  if (connection_ != nullptr) {
    (void)connection_->RunCached(kRollback);
  }
}

Status Transaction::Commit() {
  Connection* connection = std::exchange(connection_, nullptr);
  auto status = connection->RunCached(kCommit);
  if (!status) {
    (void)connection->RunCached(kRollback);
  }
  return status;
}

}  // namespace worklog::store::sqlite

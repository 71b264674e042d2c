#include "store/postgres/pg_db.h"

#include <poll.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "store/background_writes.h"

namespace worklog::store::postgres {
namespace {

std::string_view Trimmed(const char* message) {
  std::string_view text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  return text;
}

// Network byte order, as the binary format wants.
void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// ndim, has-nulls flag, element type, then the one dimension's length and lower bound.
std::string ArrayHeader(PgType element_type, std::size_t count, std::size_t payload) {
  std::string out;
  out.reserve(20 + payload);
  AppendBigEndian(out, 1, 4);
  AppendBigEndian(out, 0, 4);
  AppendBigEndian(out, static_cast<uint32_t>(element_type), 4);
  AppendBigEndian(out, count, 4);
  AppendBigEndian(out, 1, 4);
  return out;
}

}  // namespace

std::string PgBinaryArray(PgType element_type, const std::vector<std::string_view>& elements) {
  std::size_t payload = 0;
  for (std::string_view element : elements) {
    payload += 4 + element.size();
  }
  std::string out = ArrayHeader(element_type, elements.size(), payload);
  for (std::string_view element : elements) {
    AppendBigEndian(out, element.size(), 4);
    out.append(element);
  }
  return out;
}

std::string PgBinaryArray(const std::vector<int64_t>& elements) {
  std::string out = ArrayHeader(PgType::kInt8, elements.size(), elements.size() * 12);
  for (int64_t element : elements) {
    AppendBigEndian(out, 8, 4);
    AppendBigEndian(out, static_cast<uint64_t>(element), 8);
  }
  return out;
}

Params& Params::Add(int64_t value) {
  values_.emplace_back(std::to_string(value));
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(std::string_view value) {
  values_.emplace_back(std::string(value));
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(bool value) {
  values_.emplace_back(value ? "t" : "f");
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(const std::optional<std::string>& value) {
  values_.push_back(value);
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(const std::optional<int64_t>& value) { return value ? Add(*value) : AddNull(); }

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

Params& Params::AddBinary(std::string_view bytes) {
  values_.emplace_back(std::string(bytes));
  formats_.push_back(1);
  return *this;
}

std::vector<int> Params::Lengths() const {
  std::vector<int> lengths;
  lengths.reserve(values_.size());
  for (const auto& value : values_) {
    lengths.push_back(value ? static_cast<int>(value->size()) : 0);
  }
  return lengths;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) {
    pointers.push_back(value ? value->c_str() : nullptr);
  }
  return pointers;
}

int64_t Rows::Affected() const {
  const char* text = PQcmdTuples(result_.get());
  int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

std::string Rows::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::string Rows::Bytea(int row, int column) const {
  const std::string hex = Text(row, column);
  std::string bytes;
  if (hex.size() < 2 || hex[0] != '\\' || hex[1] != 'x') {
    std::abort();  // bytea_output is 'hex' since PostgreSQL 9.0
  }
  bytes.reserve((hex.size() - 2) / 2);
  const auto nibble = [](char c) {
    return static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  for (std::size_t i = 2; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return bytes;
}

std::optional<std::string> Rows::OptionalText(int row, int column) const {
  if (IsNull(row, column)) {
    return std::nullopt;
  }
  return Text(row, column);
}

int64_t Rows::Int(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  const auto length = static_cast<std::size_t>(PQgetlength(result_.get(), row, column));
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text, text + length, value);
  if (error != std::errc() || end != text + length) {
    // Our own SQL chose an integer column: anything else is a bug.
    std::abort();
  }
  return value;
}

std::optional<int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) {
    return std::nullopt;
  }
  return Int(row, column);
}

bool Rows::Bool(int row, int column) const {
  return PQgetvalue(result_.get(), row, column)[0] == 't';
}

Error PgError(PGconn* connection, const PGresult* result, std::string_view context) {
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message =
      fmt::format("{}: {}", context,
                  primary != nullptr ? Trimmed(primary) : Trimmed(PQerrorMessage(connection)));
  if (state == "23505") {
    return {ErrorCode::kConflict, {}, std::move(message)};
  }
  if (state == "23503") {
    return {ErrorCode::kNotFound, {}, std::move(message)};
  }
  if (state == "40001" || state == "40P01" || state.starts_with("08") || state == "57P01" ||
      state == "57P02" || state == "57P03" || state == "53300" ||
      PQstatus(connection) != CONNECTION_OK) {
    return {ErrorCode::kUnavailable, {}, std::move(message)};
  }
  return {ErrorCode::kInternal, {}, std::move(message)};
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  ConnPtr connection(PQconnectdb(conninfo.c_str()));
  if (connection == nullptr) {
    return Unavailable("cannot connect to PostgreSQL: out of memory");
  }
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    return Unavailable(
        fmt::format("cannot connect to PostgreSQL: {}", Trimmed(PQerrorMessage(connection.get()))));
  }
  // Server notices (and the goodbye of a terminated backend) are not for the terminal.
  PQsetNoticeProcessor(
      connection.get(), [](void* /*unused*/, const char* /*message*/) {}, nullptr);
  std::unique_ptr<Connection> opened(new Connection(std::move(connection)));
  // Instants are integers; keep the session predictable anyway.
  if (auto set = opened->ExecScript(
          "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = WARNING");
      !set) {
    return tl::unexpected(set.error());
  }
  return opened;
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params) {
  const std::string text(sql);
  const std::vector<const char*> values = params.Pointers();
  const std::vector<int> lengths = params.Lengths();
  ResultPtr result(PQexecParams(connection_.get(), text.c_str(), params.size(), nullptr,
                                values.data(), lengths.data(), params.Formats().data(),
                                /*resultFormat=*/0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return tl::unexpected(PgError(connection_.get(), result.get(), "postgresql"));
  }
  return Rows(std::move(result));
}

Status Connection::ExecScript(std::string_view sql) {
  const std::string text(sql);
  // PQexec returns the last statement's result; an earlier failure stops the script and
  // is what is returned.
  ResultPtr result(PQexec(connection_.get(), text.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return tl::unexpected(PgError(connection_.get(), result.get(), "postgresql"));
  }
  return {};
}

bool Connection::CheckAlive() {
  if (Broken()) {
    return false;
  }
  pollfd descriptor{.fd = PQsocket(connection_.get()), .events = POLLIN, .revents = 0};
  if (descriptor.fd < 0) {
    return false;
  }
  if (::poll(&descriptor, 1, 0) > 0) {
    // An idle connection has nothing to read unless the server said goodbye (or sent a
    // notice): consuming the input updates the status.
    if (PQconsumeInput(connection_.get()) == 0) {
      return false;
    }
  }
  return !Broken();
}

Result<Transaction> Transaction::Begin(Connection& connection, std::string_view begin_sql) {
  if (auto status = connection.ExecScript(begin_sql); !status) {
    return tl::unexpected(status.error());
  }
  return Transaction(&connection);
}

Transaction::~Transaction() {
  if (connection_ != nullptr && !connection_->Broken()) {
    (void)connection_->ExecScript("ROLLBACK");
  }
}

Status Transaction::Commit() {
  Connection* connection = std::exchange(connection_, nullptr);
  return connection->ExecScript("COMMIT");
}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Release(std::move(connection_), background_);
  }
}

Result<Pool::Lease> Pool::Acquire() {
  const bool background = BackgroundWrites::Active();
  {
    std::unique_lock lock(mutex_);
    if (background) {
      background_released_.wait(lock, [&] {
        return Free() && others_waiting_ == 0 && background_held_ < std::max(1, max_size_ / 2);
      });
      ++background_held_;  // counted before the lock is let go (a fresh one opens outside)
    } else if (!Free()) {
      ++others_waiting_;
      released_.wait(lock, [&] { return Free(); });
      --others_waiting_;
    }
    std::unique_ptr<Connection> taken;
    while (!idle_.empty() && !taken) {
      taken = std::move(idle_.back());
      idle_.pop_back();
      if (!taken->CheckAlive()) {
        taken.reset();
        --open_;  // dropped; open a fresh one instead (or take another idle one)
      }
    }
    if (!taken) {
      ++open_;
    }
    PassOn();
    if (taken) {
      return Lease(this, std::move(taken), background);
    }
  }
  auto connection = Connection::Open(conninfo_);
  if (!connection) {
    std::lock_guard lock(mutex_);
    --open_;
    background_held_ -= background ? 1 : 0;
    PassOn();
    return tl::unexpected(connection.error());
  }
  return Lease(this, std::move(*connection), background);
}

void Pool::AddWaiting(int count) {
  std::lock_guard lock(mutex_);
  others_waiting_ += count;
  PassOn();
}

void Pool::PassOn() {
  if (!Free()) {
    return;
  }
  if (others_waiting_ > 0) {
    released_.notify_one();
  } else {
    background_released_.notify_one();
  }
}

void Pool::Release(std::unique_ptr<Connection> connection, bool background) {
  std::lock_guard lock(mutex_);
  background_held_ -= background ? 1 : 0;
  if (connection->Broken() || !connection->OutsideTransaction()) {
    --open_;  // never hand out a lost connection or one left inside a transaction
  } else {
    idle_.push_back(std::move(connection));
  }
  PassOn();
}

}  // namespace worklog::store::postgres

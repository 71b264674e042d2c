#include "support/pg_database.h"

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace worklog::testing {
namespace {

constexpr const char* kUrlVariable = "WORKLOG_TEST_PG_URL";

struct ConnDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

Status Exec(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, ConnDeleter> connection(PQconnectdb(url.c_str()));
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    return Unavailable(
        fmt::format("cannot connect to {}: {}", url, PQerrorMessage(connection.get())));
  }
  std::unique_ptr<PGresult, ResultDeleter> result(PQexec(connection.get(), sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Internal(fmt::format("{}: {}", sql, PQerrorMessage(connection.get())));
  }
  return {};
}

// `url` with its database name (the path after host[:port]) replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) {
    return url + "/" + database;
  }
  const std::size_t query = url.find('?', path);
  return url.substr(0, path + 1) + database +
         (query == std::string::npos ? std::string() : url.substr(query));
}

}  // namespace

Result<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create() {
  // Nothing in the tests sets the environment, so reading it is safe from any thread.
  const char* admin_url = std::getenv(kUrlVariable);  // NOLINT(concurrency-mt-unsafe)
  if (admin_url == nullptr || *admin_url == '\0') {
    return Unavailable(fmt::format(
        "{} is not set: run the PostgreSQL tests under scripts/with-postgres, e.g. "
        "`scripts/with-postgres ctest --test-dir build/dev -L store` (make test does this)",
        kUrlVariable));
  }
  std::random_device random;
  const std::string name = fmt::format("t_{:08x}{:08x}", random(), random());
  if (auto created = Exec(admin_url, fmt::format("CREATE DATABASE {}", name)); !created) {
    return tl::unexpected(created.error());
  }
  return std::unique_ptr<PgTestDatabase>(
      new PgTestDatabase(admin_url, name, WithDatabase(admin_url, name)));
}

PgTestDatabase::~PgTestDatabase() {
  (void)Exec(admin_url_, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
}

Status PgTestDatabase::AdminQueryIntUntil(const std::string& sql, int64_t expected) const {
  std::unique_ptr<PGconn, ConnDeleter> connection(PQconnectdb(admin_url_.c_str()));
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    return Unavailable(fmt::format("cannot connect: {}", PQerrorMessage(connection.get())));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<PGresult, ResultDeleter> result(PQexec(connection.get(), sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) {
      return Internal(fmt::format("{}: {}", sql, PQerrorMessage(connection.get())));
    }
    last = PQgetvalue(result.get(), 0, 0);
    if (last == std::to_string(expected)) {
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval
  }
  return Unavailable(fmt::format("{} still returned {} after 10 s", sql, last));
}

Status PgTestDatabase::AdminExec(const std::string& sql) const { return Exec(admin_url_, sql); }

}  // namespace worklog::testing

#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

namespace worklog::testing {

// A fresh, empty PostgreSQL database `t_<random>` on the cluster named by the environment
// variable WORKLOG_TEST_PG_URL (set by scripts/with-postgres), dropped (with any
// connections still open to it) on destruction.
class PgTestDatabase {
 public:
  // kUnavailable, saying to run under scripts/with-postgres, when WORKLOG_TEST_PG_URL is
  // unset; kUnavailable when the cluster cannot be reached.
  static Result<std::unique_ptr<PgTestDatabase>> Create();

  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;
  PgTestDatabase(PgTestDatabase&&) = delete;
  PgTestDatabase& operator=(PgTestDatabase&&) = delete;
  ~PgTestDatabase();

  // postgresql://…/t_<random>
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // Runs one SQL statement (no parameters) as the cluster's administrator on the
  // maintenance database; for tests that must reach behind the store.
  Status AdminExec(const std::string& sql) const;
  // Repeats a one-integer query until it returns `expected` (polling, 10 s deadline);
  // kUnavailable when the deadline passes.
  Status AdminQueryIntUntil(const std::string& sql, int64_t expected) const;

 private:
  PgTestDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace worklog::testing

#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "domain/activity.h"
#include "store/store.h"
#include "support/pg_database.h"
#include "support/temp_dir.h"

namespace worklog::store::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kSqlite ? "sqlite" : "postgresql");
}

inline TimePoint At(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  return date::sys_days{date::year_month_day{date::year{y}, date::month{m}, date::day{d}}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm};
}

// An activity of project 42 for the contract suites.
inline domain::Activity TestActivity(const std::string& key, domain::ActivityKind kind,
                                     TimePoint at, std::optional<int64_t> actor,
                                     const std::string& author_email = "") {
  domain::Activity activity;
  activity.key = key;
  activity.kind = kind;
  activity.action = kind == domain::ActivityKind::kCommit ? "pushed" : "opened";
  activity.occurred_at = at;
  activity.project_id = 42;
  activity.project_path = "group/project";
  activity.gitlab_user_id = actor;
  activity.author_email = author_email;
  activity.author_name = "Someone";
  activity.title = "Title of " + key;
  activity.url = "https://gitlab.example.com/group/project/-/" + key;
  return activity;
}

// Every test gets its own empty, migrated database: a temporary SQLite file, or a fresh
// `CREATE DATABASE` on the cluster named by WORKLOG_TEST_PG_URL.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      url_ = "sqlite:" + dir_.File("worklog.db");
    } else {
      auto database = worklog::testing::PgTestDatabase::Create();
      ASSERT_TRUE(database) << database.error().message;
      pg_ = std::move(*database);
      url_ = pg_->url();
    }
    store_ = OpenAnother();
    ASSERT_NE(store_, nullptr);
    if (migrate_in_setup_) {
      auto migrated = store_->Migrate();
      ASSERT_TRUE(migrated) << migrated.error().message;
    }
  }

  // A second Store on the same database, as another process or node would open it.
  std::unique_ptr<Store> OpenAnother() {
    auto opened = OpenStore(url_, clock_);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  Store& store() { return *store_; }

  domain::User AddUser(const std::string& email, domain::Role role = domain::Role::kUser) {
    auto user = store_->Users().Create({.email = email,
                                        .name = "Test " + email,
                                        .role = role,
                                        .timezone = "Europe/Oslo",
                                        .password_hash = ""});
    EXPECT_TRUE(user) << user.error().message;
    return user.value_or(domain::User{});
  }

  // Links worklog user `user_id` to GitLab user `gitlab_user_id` with these e-mails, as
  // the user connecting themselves would (username "u<user_id>").
  void LinkGitlab(int64_t user_id, int64_t gitlab_user_id, std::vector<std::string> emails) {
    auto linked = store_->GitlabOrg().LinkIdentity({.user_id = user_id,
                                                    .gitlab_user_id = gitlab_user_id,
                                                    .username = "u" + std::to_string(user_id),
                                                    .emails = std::move(emails),
                                                    .connected_by = user_id,
                                                    .connected_at = clock_.Now()});
    ASSERT_TRUE(linked) << linked.error().message;
  }

  bool migrate_in_setup_ = true;
  FakeClock clock_{At(2026, 11, 24, 9, 0)};
  worklog::testing::TempDir dir_;
  std::unique_ptr<worklog::testing::PgTestDatabase> pg_;  // outlives store_
  std::string url_;
  std::unique_ptr<Store> store_;
};

#define WORKLOG_STORE_BACKENDS(Suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                  \
                           ::testing::Values(::worklog::store::testing::Backend::kSqlite,    \
                                             ::worklog::store::testing::Backend::kPostgres), \
                           ::worklog::store::testing::BackendName)

}  // namespace worklog::store::testing

// The compact activity layout (migrations/*/0032_compact_activities.sql,
// store/activity_layout.h): what is stored NULL and derived again on read reads back
// exactly as written, whether written now or before the migration; what is not derivable
// is kept as given.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/activity.h"
#include "domain/activity_key.h"
#include "migrate_to.h"
#include "store/codec.h"
#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::ElementsAre;

constexpr std::string_view kSha = "0123456789abcdef0123456789abcdef01234567";
constexpr std::string_view kOtherSha = "fedcba9876543210fedcba9876543210fedcba98";
constexpr std::string_view kWebUrl = "https://gitlab.example.com/group/project";
constexpr int64_t kProject = 42;  // TestActivity's project, "group/project"

// A commit as GitLab integration writes it: every derivable field in its derivable form.
domain::Activity DerivableCommit(std::string_view sha, TimePoint at) {
  auto commit = TestActivity(domain::CommitKey(kProject, sha), domain::ActivityKind::kCommit, at,
                             10, "ada@example.com");
  commit.sha = std::string(sha);
  commit.url = fmt::format("{}/-/commit/{}", kWebUrl, sha);
  commit.title = "PROJ-7 Fix login";
  commit.body = "PROJ-7 Fix login\n\nThe session cookie was not renewed.\n";
  commit.ref = "main";
  commit.issue_keys = {"PROJ-7"};
  return commit;
}

// Every form the layout must keep as given, one activity each, all by actor 10 on one day.
std::vector<domain::Activity> EdgeCases(TimePoint day) {
  std::vector<domain::Activity> all;
  auto next = [&, n = 0]() mutable { return day + minutes(++n); };
  all.push_back(DerivableCommit(kSha, next()));
  {
    auto body_is_title = DerivableCommit(kOtherSha, next());
    body_is_title.body = body_is_title.title;
    all.push_back(body_is_title);
  }
  {
    // A commit key of another project than the row's.
    auto other_project_key = DerivableCommit("1111111111111111111111111111111111111111", next());
    other_project_key.key = domain::CommitKey(7, other_project_key.sha);
    all.push_back(other_project_key);
  }
  {
    // Not the key of its sha at all.
    auto foreign_key = DerivableCommit("2222222222222222222222222222222222222222", next());
    foreign_key.key = "commit:legacy-2222";
    all.push_back(foreign_key);
  }
  {
    // A project id written with a leading zero is not the derived form.
    auto zero_key = DerivableCommit("3333333333333333333333333333333333333333", next());
    zero_key.key = "commit:042:" + zero_key.sha;
    all.push_back(zero_key);
  }
  {
    // Upper-case hex, and a sha that is not 40 hex digits: kept as text, key kept.
    auto upper = DerivableCommit("ABCDEF0123456789ABCDEF0123456789ABCDEF01", next());
    upper.key = "commit:42:ABCDEF0123456789ABCDEF0123456789ABCDEF01";
    all.push_back(upper);
    auto short_sha = DerivableCommit("abc123", next());
    all.push_back(short_sha);
    auto long_sha = DerivableCommit(std::string(kSha) + "0", next());
    all.push_back(long_sha);
    auto non_hex = DerivableCommit("g123456789abcdef0123456789abcdef01234567", next());
    all.push_back(non_hex);
  }
  {
    // URLs that are not "<web url>/-/commit/<sha>".
    auto other_commit_url = DerivableCommit("4444444444444444444444444444444444444444", next());
    other_commit_url.url = fmt::format("{}/-/commit/{}", kWebUrl, kSha);
    all.push_back(other_commit_url);
    auto upper_url = DerivableCommit("5555555555555555555555555555555555555555", next());
    upper_url.url = fmt::format("{}/-/commit/{}", kWebUrl,
                                "5555555555555555555555555555555555555555?view=parallel");
    all.push_back(upper_url);
    auto no_project = DerivableCommit("6666666666666666666666666666666666666666", next());
    no_project.url = "https://gitlab.example.com/renamed/project/-/commit/" + no_project.sha;
    all.push_back(no_project);
    auto empty_url = DerivableCommit("7777777777777777777777777777777777777777", next());
    empty_url.url = "";
    all.push_back(empty_url);
    auto twice = DerivableCommit("8888888888888888888888888888888888888888", next());
    twice.url = fmt::format("{}/-/group/project/-/commit/{}", kWebUrl, twice.sha);
    all.push_back(twice);
    auto other_host = DerivableCommit("9999999999999999999999999999999999999999", next());
    other_host.url = "http://gitlab.internal:8080/gitlab/group/project/-/commit/" + other_host.sha;
    all.push_back(other_host);
  }
  {
    // Bodies that do not start with the title, an empty body, an empty title, Unicode.
    auto different = DerivableCommit("aaaa000000000000000000000000000000000000", next());
    different.body = "Another message entirely";
    all.push_back(different);
    auto shorter = DerivableCommit("aaaa111111111111111111111111111111111111", next());
    shorter.body = "PROJ-7";
    all.push_back(shorter);
    auto empty_body = DerivableCommit("aaaa222222222222222222222222222222222222", next());
    empty_body.body = "";
    all.push_back(empty_body);
    auto empty_title = DerivableCommit("aaaa333333333333333333333333333333333333", next());
    empty_title.title = "";
    all.push_back(empty_title);
    auto unicode = DerivableCommit("aaaa444444444444444444444444444444444444", next());
    unicode.title = "Grüße ✓ «quoted» 'single'";
    unicode.body = unicode.title + "\n\nLänger ✓ ' \\ \t";
    all.push_back(unicode);
  }
  {
    // Other kinds: their keys are kept; their URLs and bodies follow the same rules.
    auto mr = TestActivity("mr:42:7:merged", domain::ActivityKind::kMergeRequest, next(), 10);
    mr.url = fmt::format("{}/-/merge_requests/7", kWebUrl);
    mr.body = mr.title + " and more";
    all.push_back(mr);
    auto note = TestActivity("note:99", domain::ActivityKind::kComment, next(), 10);
    note.url = fmt::format("{}/-/merge_requests/7#note_99", kWebUrl);
    note.body = note.title;
    all.push_back(note);
    auto push = TestActivity("push:42:feature:" + std::string(kSha), domain::ActivityKind::kPush,
                             next(), 10);
    push.sha = std::string(kSha);
    push.url = fmt::format("{}/-/tree/feature", kWebUrl);
    all.push_back(push);
    auto no_path = TestActivity("issue:42:3:opened", domain::ActivityKind::kIssue, next(), 10);
    no_path.project_path = "";
    no_path.url = "https://gitlab.example.com//-/issues/3";
    all.push_back(no_path);
  }
  return all;
}

void ExpectSame(const domain::Activity& got, const domain::Activity& want) {
  SCOPED_TRACE(want.key);
  EXPECT_EQ(got.key, want.key);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.action, want.action);
  EXPECT_EQ(got.occurred_at, want.occurred_at);
  EXPECT_EQ(got.project_id, want.project_id);
  EXPECT_EQ(got.project_path, want.project_path);
  EXPECT_EQ(got.gitlab_user_id, want.gitlab_user_id);
  EXPECT_EQ(got.author_email, want.author_email);
  EXPECT_EQ(got.author_name, want.author_name);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.ref, want.ref);
  EXPECT_EQ(got.sha, want.sha);
  EXPECT_EQ(got.issue_keys, want.issue_keys);
  EXPECT_EQ(got.time_spent_seconds, want.time_spent_seconds);
}

// Shared by the two suites below: the day the edge cases happen and reading them back.
class ActivityLayoutTest : public StoreTest {
 protected:
  int64_t Insert(const std::vector<domain::Activity>& activities) {
    auto inserted = store().Activities().InsertBatch(activities);
    EXPECT_TRUE(inserted) << inserted.error().message;
    return inserted.value_or(-1);
  }

  // Reads `want` back both ways (by key, and as actor 10's day) and compares field by field.
  void ExpectReadBack(const std::vector<domain::Activity>& want) {
    std::vector<std::string> keys;
    std::map<std::string, const domain::Activity*> by_key;
    for (const auto& activity : want) {
      keys.push_back(activity.key);
      by_key[activity.key] = &activity;
    }
    auto read = store().Activities().GetByKeys(keys);
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->size(), want.size());
    for (const auto& got : *read) {
      ASSERT_TRUE(by_key.contains(got.key)) << got.key;
      ExpectSame(got, *by_key[got.key]);
    }
    auto listed = store().Activities().ListForUser({.gitlab_user_ids = {10},
                                                    .emails = {},
                                                    .claimed_emails = {},
                                                    .from = day_,
                                                    .to = day_ + hours(24)});
    ASSERT_TRUE(listed) << listed.error().message;
    ASSERT_EQ(listed->size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      ExpectSame((*listed)[i], want[i]);  // EdgeCases are in time order
    }
  }

  const TimePoint day_ = At(2026, 11, 24);
};

class ActivityLayoutContract : public ActivityLayoutTest {};
WORKLOG_STORE_BACKENDS(ActivityLayoutContract);

TEST_P(ActivityLayoutContract, EveryFormReadsBackAsWritten) {
  const auto all = EdgeCases(day_);
  ASSERT_EQ(Insert(all), static_cast<int64_t>(all.size()));
  ExpectReadBack(all);
  // Written again (a redelivery, the poll): nothing new.
  EXPECT_EQ(Insert(all), 0);
  EXPECT_EQ(store().Activities().Count().value(), static_cast<int64_t>(all.size()));
}

TEST_P(ActivityLayoutContract, CommitStoredWithoutItsKeyIsStoredOnce) {
  const auto commit = DerivableCommit(kSha, day_ + hours(9));
  auto on_other_branch = commit;
  on_other_branch.ref = "feature";
  EXPECT_EQ(Insert({commit, on_other_branch}), 1);
  EXPECT_EQ(Insert({on_other_branch}), 0);
  // The same sha in another project is another commit.
  auto other_project = commit;
  other_project.project_id = 43;
  other_project.key = domain::CommitKey(43, kSha);
  EXPECT_EQ(Insert({other_project}), 1);
  EXPECT_EQ(store().Activities().Count().value(), 2);
}

TEST_P(ActivityLayoutContract, ExplicitKeyEqualToADerivedKeyIsTheSameActivity) {
  // Row A is stored without its key "commit:42:<sha>"; row B (project 7) carries that very
  // key as given. One key, one activity, whichever comes first.
  const auto derived = DerivableCommit(kSha, day_ + hours(9));
  auto explicit_key = DerivableCommit(kOtherSha, day_ + hours(10));
  explicit_key.project_id = 7;
  explicit_key.key = derived.key;
  EXPECT_EQ(Insert({derived}), 1);
  EXPECT_EQ(Insert({explicit_key}), 0);

  auto derived_b = DerivableCommit(kOtherSha, day_ + hours(11));
  auto explicit_b = TestActivity(derived_b.key, domain::ActivityKind::kIssue, day_, 10);
  EXPECT_EQ(Insert({explicit_b}), 1);
  EXPECT_EQ(Insert({derived_b}), 0);
  EXPECT_EQ(store().Activities().Count().value(), 2);
  auto read = store().Activities().GetByKeys({derived.key, derived_b.key});
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), 2U);
}

TEST_P(ActivityLayoutContract, SameTimeIsOrderedByTheKeyAsReadBack) {
  const TimePoint at = day_ + hours(9);
  auto derived = DerivableCommit(kSha, at);  // "commit:42:0123..."
  auto before = TestActivity("commit:0", domain::ActivityKind::kIssue, at, 10);
  auto after = TestActivity("commit:5", domain::ActivityKind::kIssue, at, 10);
  Insert({after, derived, before});
  auto listed = store().Activities().ListForUser({.gitlab_user_ids = {10},
                                                  .emails = {},
                                                  .claimed_emails = {},
                                                  .from = day_,
                                                  .to = day_ + hours(24)});
  ASSERT_TRUE(listed) << listed.error().message;
  std::vector<std::string> keys;
  for (const auto& activity : *listed) {
    keys.push_back(activity.key);
  }
  EXPECT_THAT(keys, ElementsAre("commit:0", derived.key, "commit:5"));
}

// A database written by an older worklog: the migration keeps every activity, byte for byte.
class ActivityLayoutMigration : public ActivityLayoutTest {
 protected:
  ActivityLayoutMigration() { migrate_in_setup_ = false; }

  static std::string Quoted(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
      out.push_back(c);
      if (c == '\'') {
        out.push_back('\'');
      }
    }
    out.push_back('\'');
    return out;
  }

  static std::string JsonArray(const std::vector<std::string>& values) {
    std::string out = "[";
    for (const auto& value : values) {
      out += fmt::format("{}\"{}\"", out.size() > 1 ? "," : "", value);
    }
    return out + "]";
  }

  // The rows as the 0002 layout stored them.
  static std::string OldInserts(const std::vector<domain::Activity>& activities) {
    std::string sql;
    for (const auto& a : activities) {
      sql += fmt::format(
          "INSERT INTO activities (key, kind, action, occurred_at_us, project_id, project_path, "
          "gitlab_user_id, author_email, author_name, title, body, url, ref, sha, issue_keys, "
          "time_spent_seconds) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
          "{}, {});\n",
          Quoted(a.key), Quoted(domain::KindName(a.kind)), Quoted(a.action),
          ToMicros(a.occurred_at), a.project_id, Quoted(a.project_path),
          a.gitlab_user_id ? std::to_string(*a.gitlab_user_id) : "NULL", Quoted(a.author_email),
          Quoted(a.author_name), Quoted(a.title), Quoted(a.body), Quoted(a.url), Quoted(a.ref),
          Quoted(a.sha), Quoted(JsonArray(a.issue_keys)),
          a.time_spent_seconds ? std::to_string(*a.time_spent_seconds) : "NULL");
    }
    return sql;
  }

  // Applies the migrations before 0032 the way the store does, then `sql`.
  void MigrateTo31Then(const std::string& sql) { MigrateBeforeThen(GetParam(), url_, 32, sql); }
};
WORKLOG_STORE_BACKENDS(ActivityLayoutMigration);

TEST_P(ActivityLayoutMigration, EveryActivityStoredBeforeReadsBackAsWritten) {
  const auto all = EdgeCases(day_);
  MigrateTo31Then(OldInserts(all));
  auto migrated = store().Migrate();
  ASSERT_TRUE(migrated) << migrated.error().message;
  ASSERT_EQ(store().Activities().Count().value(), static_cast<int64_t>(all.size()));

  ExpectReadBack(all);

  // The migrated rows deduplicate new writes like rows written now.
  EXPECT_EQ(store().Activities().InsertBatch(all).value_or(-1), 0);
  EXPECT_EQ(store().Activities().InsertBatch({DerivableCommit(kSha, day_)}).value_or(-1), 0);
}

}  // namespace
}  // namespace worklog::store::testing

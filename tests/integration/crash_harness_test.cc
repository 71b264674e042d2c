// Issue #7.2: `kill -9` of `worklog serve` at random moments while GitLab work streams in by
// webhook, the backfill runs and a person logs suggestions from the Activity Feed; restarted
// each time on the same database, on SQLite and on PostgreSQL. Afterwards: every delivery
// acknowledged to GitLab was normalized (its commits are activities), nothing is stored
// twice, no suggestion became two worklogs, work done in GitLab while worklog was down
// arrived anyway (GitLab does not redeliver it: the reconciliation from the cursor does), and
// the cursors ended at GitLab's newest event.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gitlab_world.h"

namespace worklog::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

std::string Day(int days_ago) {
  const auto day = std::chrono::floor<date::days>(SystemClock().Now()) - date::days(days_ago);
  return date::format("%F", day);
}

// GitLab's newest event id of a project.
int64_t NewestEvent(GitlabWorld& world, int64_t project) {
  int64_t newest = 0;
  for (int page = 1; page < 20; ++page) {
    const json events = world.SimGet("/api/v4/projects/" + std::to_string(project) +
                                     "/events?per_page=100&page=" + std::to_string(page));
    if (!events.is_array() || events.empty()) {
      break;
    }
    for (const auto& event : events) {
      newest = std::max(newest, event.value("id", int64_t{0}));
    }
  }
  return newest;
}

class CrashHarness : public ::testing::TestWithParam<Backend> {};

TEST_P(CrashHarness, KillNineAtRandomMomentsLosesAndDuplicatesNothing) {
  auto world = GitlabWorld::Create(GetParam());
  if (!world) {
    GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
  }
  world->SetUp(1, {"--poll-interval", "3600", "--worker-lease", "2"});
  ASSERT_FALSE(HasFatalFailure());
  const auto today = std::chrono::floor<date::days>(SystemClock().Now());
  std::mutex mutex;
  std::vector<std::string> shas;  // Guarded by mutex.
  // History before the connection: what the backfill imports.
  for (int i = 0; i < 12; ++i) {
    const TimePoint at = TimePoint(today - date::days(3)) + hours(8) + minutes(15 * i);
    for (auto& sha : world->Push(
             i % 2 == 0 ? world->api_id() : world->web_id(),
             i % 3 == 0 ? world->bob() : world->ada(), "main",
             {{"OLD-" + std::to_string(1 + i / 3) + " history " + std::to_string(i), at}})) {
      shas.push_back(sha);
    }
  }
  world->Connect();
  ASSERT_FALSE(HasFatalFailure());

  const unsigned seed = std::random_device{}();
  std::cout << "[ crash ] seed=" << seed << "\n";
  std::mt19937 random(seed);
  std::atomic<bool> stop{false};

  // GitLab work: pushes by ada and bob, dated yesterday, keyed; smart commits now and then.
  std::thread gitlab([&] {
    const TimePoint nine = TimePoint(today - date::days(1)) + hours(9);
    for (int i = 0; i < 40 && !stop; ++i) {
      const std::string key = "LIVE-" + std::to_string(1 + i / 5);
      std::vector<std::pair<std::string, TimePoint>> commits = {
          {key + " change " + std::to_string(i), nine + minutes(7 * i)}};
      if (i % 9 == 4) {
        commits.emplace_back(key + " #time 45m measured", nine + minutes(7 * i + 3));
      }
      auto made = world->Push(i % 2 == 0 ? world->api_id() : world->web_id(),
                              i % 4 == 1 ? world->bob() : world->ada(), "main", commits);
      {
        std::lock_guard lock(mutex);
        shas.insert(shas.end(), made.begin(), made.end());
      }
      std::this_thread::sleep_for(milliseconds(150));
    }
  });

  // ada logs every keyed suggestion she sees; a request the crash cut off is tried again.
  std::atomic<int> logged{0};
  std::atomic<int> cut_off{0};
  std::atomic<int> already_logged{0};  // 409: a smart commit took part of it first
  const std::string ada_token = world->Token(world->ada().email);
  std::thread feed([&] {
    ApiClient ada(world->proxy_port());  // the node's port changes on every restart
    ada.UseBearer(ada_token);
    while (!stop) {
      const Reply page = ada.Get("/api/v1/me/activity-feed?from=" + Day(4) + "&to=" + Day(0));
      if (page.status != 200) {
        std::this_thread::sleep_for(milliseconds(20));
        continue;
      }
      for (const auto& suggestion : page.json["suggestions"]) {
        if (suggestion["issue_key"].is_null() || stop) {
          continue;
        }
        const Reply done =
            ada.Post("/api/v1/me/activity-feed/" + suggestion["id"].get<std::string>() + "/log",
                     json::object());
        if (done.status == 201 || done.status == 200) {
          ++logged;
        } else if (done.status == 0 || done.status == 502) {
          ++cut_off;
          break;
        } else if (done.status == 409) {
          ++already_logged;
        }
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
  });

  // The crashes: kill -9 after a random 150-1200 ms of work, down for up to 800 ms (GitLab
  // fails its deliveries meanwhile), restart.
  int crashes = 0;
  std::uniform_int_distribution<int> uptime(150, 1200);
  std::uniform_int_distribution<int> downtime(0, 800);
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(milliseconds(uptime(random)));
    world->node(0).Kill();
    world->UpdateBackends();
    ++crashes;
    std::this_thread::sleep_for(milliseconds(downtime(random)));
    auto started = world->node(0).Start();
    ASSERT_TRUE(started) << started.error().message;
    world->UpdateBackends();
  }
  gitlab.join();
  stop = true;
  feed.join();

  // Work done in GitLab while worklog was down (never redelivered by GitLab): one more
  // crash, pushes while down, then a restart.
  world->node(0).Kill();
  world->UpdateBackends();
  ++crashes;
  std::vector<std::string> while_down;
  const TimePoint evening = TimePoint(today - date::days(1)) + hours(18);
  for (int i = 0; i < 3; ++i) {
    for (auto& sha : world->Push(
             world->api_id(), world->ada(), "main",
             {{"DOWN-1 while worklog was down " + std::to_string(i), evening + minutes(5 * i)}})) {
      while_down.push_back(sha);
    }
  }
  ASSERT_TRUE(WaitFor([&] { return world->DeliveriesSettled(); }, seconds(30)));
  ASSERT_TRUE(world->node(0).Start().has_value());
  world->UpdateBackends();

  Db db(world->db_url());
  ASSERT_TRUE(world->WaitQuiet(db, seconds(90))) << world->NodeLogs();
  shas.insert(shas.end(), while_down.begin(), while_down.end());
  ASSERT_TRUE(WaitFor([&] { return world->CommitsStored(db).size() >= shas.size(); }, seconds(60)))
      << world->CommitsStored(db).size() << " of " << shas.size();

  // Every commit, acknowledged or pushed while worklog was down: one activity.
  const auto stored = world->CommitsStored(db);
  for (const auto& sha : shas) {
    const auto it = stored.find(sha);
    ASSERT_NE(it, stored.end()) << sha << " never arrived";
    EXPECT_EQ(it->second, 1) << sha;
  }
  for (const auto& sha : while_down) {
    EXPECT_TRUE(stored.contains(sha)) << "work done while worklog was down is missing";
  }
  // Every delivery GitLab saw acknowledged was normalized.
  const json deliveries = world->Deliveries();
  int sent = 0;
  int acknowledged = 0;
  int failed = 0;
  for (const auto& d : deliveries) {
    ++sent;
    acknowledged += d["outcome"] == "delivered" ? 1 : 0;
    failed += d["outcome"] == "failed" ? 1 : 0;
    if (d["outcome"] != "delivered" || d["event"] != "Push Hook") {
      continue;
    }
    for (const auto& commit : d["payload"]["commits"]) {
      EXPECT_TRUE(stored.contains(commit["id"].get<std::string>()))
          << "an acknowledged delivery was lost: " << commit["id"];
    }
  }
  auto pending = db->Inbox().CountPending();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, 0);

  // No suggestion was logged twice: no activity behind two worklogs logged from the feed.
  // Nor is a smart commit's time counted twice: by the rule and from the feed.
  ApiClient ada = world->As(world->ada().email);
  const Reply worklogs = ada.Get("/api/v1/worklogs?from=" + Day(4) + "&to=" + Day(0));
  ASSERT_EQ(worklogs.status, 200) << worklogs.body;
  std::map<std::string, int> from_feed;
  std::map<std::string, int> from_smart_commits;
  for (const auto& worklog : worklogs.json["worklogs"]) {
    auto& behind = worklog["origin"] == "smart_commit" ? from_smart_commits : from_feed;
    for (const auto& key : worklog["activity_keys"]) {
      ++behind[key.get<std::string>()];
    }
  }
  int smart_commit_overlaps = 0;
  for (const auto& [key, count] : from_smart_commits) {
    EXPECT_EQ(count, 1) << key << " has " << count << " smart-commit worklogs";
    smart_commit_overlaps += from_feed.contains(key) ? 1 : 0;
  }
  // A smart commit's time is logged by the rule, never also from the feed (the feed leaves
  // such commits out even before their worklog exists).
  EXPECT_EQ(smart_commit_overlaps, 0) << "smart commits also logged from the feed";
  for (const auto& [key, count] : from_feed) {
    std::string which;
    for (const auto& worklog : worklogs.json["worklogs"]) {
      for (const auto& k : worklog["activity_keys"]) {
        if (k == key) {
          which += "\n  " + worklog.dump();
        }
      }
    }
    EXPECT_EQ(count, 1) << key << " is behind " << count << " feed worklogs:" << which;
  }

  // Cursors resumed to GitLab's newest event.
  for (const int64_t project : {world->api_id(), world->web_id()}) {
    auto row = db->GitlabOrg().GetProject(project);
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_EQ(row->cursor_event_id, NewestEvent(*world, project)) << project;
  }

  const std::string logs = world->NodeLogs();
  const auto done = LogValues(logs, "webhook delivery done", "id");
  std::cout << "[ crash ] backend=" << (GetParam() == Backend::kSqlite ? "sqlite" : "postgres")
            << " crashes=" << crashes << " commits=" << shas.size() << " deliveries sent=" << sent
            << " acknowledged=" << acknowledged << " failed_while_down=" << failed
            << " normalized=" << std::set<std::string>(done.begin(), done.end()).size()
            << " worklogs=" << worklogs.json["worklogs"].size() << " logged=" << logged
            << " log_requests_cut_off=" << cut_off << " log_refused_as_logged=" << already_logged
            << " smart_commit_also_in_a_feed_worklog=" << smart_commit_overlaps << "\n";
  EXPECT_GE(crashes, 7);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashHarness,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace worklog::testing

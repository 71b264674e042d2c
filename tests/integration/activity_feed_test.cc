// Issue #5, the Activity Feed end to end: a developer's day in GitLab (pushes, a merge
// request, a review, an issue comment) made through the simulator's API with backdated
// times, delivered by webhooks to a `worklog serve`, and read back as suggestions over
// HTTP; logging and dismissing them. On SQLite and on PostgreSQL.
//
// The developer works in Asia/Kolkata (UTC+05:30, no DST), so every local time below is a
// half-hour off its UTC instant: a time zone bug cannot hide.
#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deployment.h"
#include "gitlab_flow.h"
#include "support/pg_database.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {
namespace {

constexpr std::chrono::minutes kKolkataOffset{5 * 60 + 30};

// A day in the past (so that it has ended everywhere), as "YYYY-MM-DD".
std::string DaysAgo(int days) {
  const auto today = std::chrono::floor<date::days>(std::chrono::system_clock::now());
  return date::format("%F", today - date::days(days));
}

// The UTC instant of `local` ("HH:MM") on `day` in Asia/Kolkata, RFC 3339.
std::string KolkataAt(const std::string& day, const std::string& local) {
  date::sys_days parsed;
  std::istringstream in(day);
  in >> date::parse("%F", parsed);
  const auto at = parsed + std::chrono::hours(std::stoi(local.substr(0, 2))) +
                  std::chrono::minutes(std::stoi(local.substr(3, 2))) - kKolkataOffset;
  return date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<seconds>(at));
}

json Commit(const std::string& message, const std::string& author, const std::string& at,
            const std::string& file) {
  return {{"message", message},
          {"author_name", author},
          {"author_email", author + "@example.com"},
          {"created_at", at},
          {"actions",
           json::array(
               {{{"action", "create"}, {"file_path", file}, {"content", message + " " + at}}})}};
}

class ActivityFeedFlow : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db_url = TestDatabaseUrl(GetParam(), dir_, pg_);
    if (!db_url) {
      GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
    }
    db_url_ = std::move(*db_url);
    ASSERT_TRUE(sim_.Start()) << sim_.Stderr();
    AddUser("boss@example.com", "admin", "UTC");
    AddUser("dev@example.com", "user", "Asia/Kolkata");
    AddUser("eve@example.com", "user", "Asia/Kolkata");
    AddUser("other@example.com", "user", "UTC");
    server_ = std::make_unique<ServerProcess>(
        ServeConfig{.db_url = db_url_,
                    .data_dir = dir_.File("data"),
                    .public_url = "",  // derived from the bound port: hooks reach it
                    .extra_args = {"--poll-interval", "3600"},
                    .env = {}});
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
    const int port = server_->port();

    owner_id_ = CreateSimUser(sim_, "owner", "owner@corp.example", "");
    dev_id_ = CreateSimUser(sim_, "dev", "dev@example.com", "dev@example.com");
    eve_id_ = CreateSimUser(sim_, "eve", "eve@example.com", "eve@example.com");
    const Reply acme = sim_.Api("POST", "/groups", {{"name", "Acme"}, {"path", "acme"}});
    ASSERT_EQ(acme.status, 201) << acme.body;
    ASSERT_EQ(sim_.Api("POST", "/groups/" + acme.json["id"].dump() + "/members",
                       {{"user_id", owner_id_}, {"access_level", 50}})
                  .status,
              201);
    const Reply api = sim_.Api("POST", "/projects",
                               {{"name", "api"},
                                {"path", "api"},
                                {"namespace_id", acme.json["id"]},
                                {"initialize_with_readme", true}});
    ASSERT_EQ(api.status, 201) << api.body;
    project_id_ = api.json["id"];
    for (int64_t member : {dev_id_, eve_id_}) {
      ASSERT_EQ(sim_.Api("POST", "/projects/" + std::to_string(project_id_) + "/members",
                         {{"user_id", member}, {"access_level", 40}})
                    .status,
                201);
    }

    std::string csrf;
    const std::string session = SignInSession(port, "boss@example.com", &csrf);
    boss_ = std::make_unique<SessionClient>(port, session, csrf);
    ASSERT_TRUE(ConnectOrganization(sim_, *boss_, session, server_->base_url(), "owner"));
    ASSERT_TRUE(WaitFor([&] {
      const Reply projects = boss_->Get("/api/v1/apps/gitlab/projects");
      return projects.json.is_array() && projects.json.size() == 1 &&
             projects.json[0]["hook_status"] == "active";
    })) << boss_->Get("/api/v1/apps/gitlab/projects").body;

    const Reply staff = boss_->Get("/api/v1/staff");
    ASSERT_EQ(staff.status, 200) << staff.body;
    std::vector<int64_t> ids;
    for (const auto& row : staff.json) {
      if (row["email"] == "dev@example.com" || row["email"] == "eve@example.com") {
        ids.push_back(row["id"]);
      }
    }
    const Reply connected =
        boss_->Post("/api/v1/staff/actions/connect-gitlab", {{"user_ids", ids}});
    ASSERT_EQ(connected.status, 200) << connected.body;
    for (const auto& result : connected.json) {
      ASSERT_EQ(result["result"], "connected") << connected.body;
    }
  }

  void AddUser(const std::string& email, const std::string& role, const std::string& timezone) {
    AddUserTo(db_url_, email, "Staff " + email.substr(0, email.find('@')), role, timezone);
  }

  SessionClient SignedIn(const std::string& email) {
    std::string csrf;
    const std::string session = SignInSession(server_->port(), email, &csrf);
    return SessionClient(server_->port(), session, csrf);
  }

  std::string ProjectPath(const std::string& rest) const {
    return "/projects/" + std::to_string(project_id_) + rest;
  }

  // Polls `client`'s feed for `day` until it holds `count` suggestions.
  json WaitForFeed(SessionClient& client, const std::string& day, std::size_t count) {
    json feed;
    const std::string path = "/api/v1/me/activity-feed?from=" + day + "&to=" + day;
    const bool arrived = WaitFor(
        [&] {
          const Reply reply = client.Get(path);
          feed = reply.json;
          return reply.status == 200 && feed["suggestions"].size() == count;
        },
        seconds(20));
    EXPECT_TRUE(arrived) << "expected " << count << " suggestions: " << feed.dump(2);
    return feed;
  }

  worklog::testing::TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string db_url_;
  SimProcess sim_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<SessionClient> boss_;
  int64_t owner_id_ = 0;
  int64_t dev_id_ = 0;
  int64_t eve_id_ = 0;
  int64_t project_id_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ActivityFeedFlow,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

std::vector<std::string> KeysOf(const json& suggestion) {
  std::vector<std::string> keys;
  for (const auto& activity : suggestion["activities"]) {
    keys.push_back(activity["key"]);
  }
  return keys;
}

TEST_P(ActivityFeedFlow, DevelopersDayBecomesSuggestionsLoggedOnceAndHandledForGood) {
  const std::string day = DaysAgo(2);
  const auto at = [&](const std::string& local) { return KolkataAt(day, local); };

  // --- The day in GitLab (local times, Asia/Kolkata) ----------------------------------------
  // 09:00, 09:47, 10:05: three commits pushed at once to a PROJ-7 branch (the second has no
  // key of its own: the branch's counts; the third names PROJ-8).
  const Reply pushed = sim_.Push(
      project_id_, "feature/PROJ-7-login",
      json::array({Commit("PROJ-7 Add the login form", "dev", at("09:00"), "login.txt"),
                   Commit("Wire the login endpoint", "dev", at("09:47"), "endpoint.txt"),
                   Commit("PROJ-8 Fix the header typo", "dev", at("10:05"), "header.txt")}),
      "dev", "main");
  ASSERT_EQ(pushed.status, 201) << pushed.body;
  // 10:30: dev opens the merge request.
  const Reply mr = sim_.Api("POST", ProjectPath("/merge_requests"),
                            {{"source_branch", "feature/PROJ-7-login"},
                             {"target_branch", "main"},
                             {"title", "PROJ-7 Login page"},
                             {"created_at", at("10:30")}},
                            "dev");
  ASSERT_EQ(mr.status, 201) << mr.body;
  // 11:00: dev reviews the owner's PROJ-9 merge request (a comment without a key: the merge
  // request's branch and title name the issue).
  ASSERT_EQ(sim_.Push(project_id_, "feature/PROJ-9-billing",
                      json::array({Commit("PROJ-9 Billing export", "owner", at("08:00"), "b.txt")}),
                      "owner", "main")
                .status,
            201);
  const Reply billing = sim_.Api("POST", ProjectPath("/merge_requests"),
                                 {{"source_branch", "feature/PROJ-9-billing"},
                                  {"target_branch", "main"},
                                  {"title", "PROJ-9 Billing export"},
                                  {"created_at", at("08:10")}},
                                 "owner");
  ASSERT_EQ(billing.status, 201) << billing.body;
  const Reply review =
      sim_.Api("POST", ProjectPath("/merge_requests/" + billing.json["iid"].dump() + "/notes"),
               {{"body", "Looks good, one nit about naming"}, {"created_at", at("11:00")}}, "dev");
  ASSERT_EQ(review.status, 201) << review.body;
  // 14:30, after a 3.5 h gap (a new session): a comment on an issue that names no key.
  const Reply issue =
      sim_.Api("POST", ProjectPath("/issues"),
               {{"title", "Checkout fails on Safari"}, {"created_at", at("08:20")}}, "owner");
  ASSERT_EQ(issue.status, 201) << issue.body;
  const Reply comment = sim_.Api(
      "POST", ProjectPath("/issues/" + issue.json["iid"].dump() + "/notes"),
      {{"body", "I can reproduce it with an empty cart"}, {"created_at", at("14:30")}}, "dev");
  ASSERT_EQ(comment.status, 201) << comment.body;

  // --- The feed: hand-computed from DESIGN §3.4 (max_gap 2 h, lead_in 30 min, 15 min) ----
  // Session 1: 09:00 lead-in 30 | 09:47 +47 | 10:05 +18 | 10:30 +25 | 11:00 +30.
  //   PROJ-7: 30 + 47 + 25 = 102 min -> 105 min, from 08:30.
  //   PROJ-8: 18 min -> 15 min, from 09:47.       PROJ-9: 30 min, from 10:30.
  // Session 2 (gap 3 h 30 > 2 h): 14:30 lead-in 30 -> unassigned 30 min, from 14:00.
  SessionClient dev = SignedIn("dev@example.com");
  json feed = WaitForFeed(dev, day, 4);
  ASSERT_EQ(feed["suggestions"].size(), 4u) << feed.dump(2);
  EXPECT_EQ(feed["from"], day);
  EXPECT_EQ(feed["to"], day);
  const json& proj7 = feed["suggestions"][0];
  const json& proj8 = feed["suggestions"][1];
  const json& proj9 = feed["suggestions"][2];
  const json& unassigned = feed["suggestions"][3];
  EXPECT_EQ(proj7["issue_key"], "PROJ-7");
  EXPECT_EQ(proj7["date"], day);
  EXPECT_EQ(proj7["start_time"], "08:30:00");
  EXPECT_EQ(proj7["duration_seconds"], 105 * 60);
  EXPECT_EQ(proj7["why"], "2 commits and 1 merge request update between 09:00 and 10:30");
  EXPECT_EQ(proj7["description"],
            "PROJ-7 Add the login form; Wire the login endpoint; PROJ-7 Login page");
  ASSERT_EQ(proj7["activities"].size(), 3u);
  EXPECT_EQ(proj7["activities"][0]["kind"], "commit");
  EXPECT_EQ(proj7["activities"][0]["title"], "PROJ-7 Add the login form");
  EXPECT_EQ(proj7["activities"][0]["occurred_at"], at("09:00"));
  EXPECT_EQ(proj7["activities"][0]["project_path"], "acme/api");
  EXPECT_EQ(proj7["activities"][2]["kind"], "merge_request");
  EXPECT_EQ(proj7["activities"][2]["action"], "opened");

  EXPECT_EQ(proj8["issue_key"], "PROJ-8");
  EXPECT_EQ(proj8["start_time"], "09:47:00");
  EXPECT_EQ(proj8["duration_seconds"], 15 * 60);
  EXPECT_EQ(proj8["why"], "1 commit at 10:05");

  EXPECT_EQ(proj9["issue_key"], "PROJ-9");
  EXPECT_EQ(proj9["start_time"], "10:30:00");
  EXPECT_EQ(proj9["duration_seconds"], 30 * 60);
  EXPECT_EQ(proj9["why"], "1 review at 11:00");
  ASSERT_EQ(proj9["activities"].size(), 1u);
  EXPECT_EQ(proj9["activities"][0]["kind"], "review");

  EXPECT_TRUE(unassigned["issue_key"].is_null()) << unassigned.dump();
  EXPECT_EQ(unassigned["start_time"], "14:00:00");
  EXPECT_EQ(unassigned["duration_seconds"], 30 * 60);
  EXPECT_EQ(unassigned["why"], "1 comment at 14:30");
  EXPECT_EQ(unassigned["description"], "I can reproduce it with an empty cart");

  // Nobody else sees it, and nobody else can log or dismiss it.
  SessionClient other = SignedIn("other@example.com");
  const Reply others_feed = other.Get("/api/v1/me/activity-feed?from=" + day + "&to=" + day);
  ASSERT_EQ(others_feed.status, 200);
  EXPECT_TRUE(others_feed.json["suggestions"].empty()) << others_feed.body;
  const std::string proj7_path = "/api/v1/me/activity-feed/" + proj7["id"].get<std::string>();
  EXPECT_EQ(other.Post(proj7_path + "/log", json::object()).status, 404);
  EXPECT_EQ(other.Post(proj7_path + "/dismiss", json::object()).status, 404);
  EXPECT_EQ(boss_->Post(proj7_path + "/log", json::object()).status, 404)
      << "administrators included";

  // --- Log with overrides: one worklog of origin activity_feed, linked to the activities --
  const Reply logged = dev.Post(proj7_path + "/log", {{"issue_key", "PROJ-77"},
                                                      {"start", "08:45"},
                                                      {"duration_seconds", 3600},
                                                      {"description", "Login page"}});
  ASSERT_EQ(logged.status, 201) << logged.body;
  EXPECT_EQ(logged.json["issue_key"], "PROJ-77");
  EXPECT_EQ(logged.json["start_date"], day);
  EXPECT_EQ(logged.json["start_time"], "08:45:00");
  EXPECT_EQ(logged.json["duration_seconds"], 3600);
  EXPECT_EQ(logged.json["description"], "Login page");
  EXPECT_EQ(logged.json["origin"], "activity_feed");
  EXPECT_EQ(logged.json["activity_keys"].get<std::vector<std::string>>(), KeysOf(proj7));
  // Again (a retry): the same worklog, not a second one.
  const Reply again = dev.Post(proj7_path + "/log", json::object());
  EXPECT_EQ(again.json["id"], logged.json["id"]) << again.body;

  // Two concurrent requests for one suggestion: exactly one worklog.
  const std::string proj8_path = "/api/v1/me/activity-feed/" + proj8["id"].get<std::string>();
  std::vector<Reply> replies(2);
  {
    std::vector<std::thread> threads;
    for (auto& reply : replies) {
      threads.emplace_back([&] {
        SessionClient client(server_->port(), dev.session(), dev.csrf());
        reply = client.Post(proj8_path + "/log", json::object());
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
  }
  ASSERT_EQ(replies[0].status, 201) << replies[0].body;
  ASSERT_EQ(replies[1].status, 201) << replies[1].body;
  EXPECT_EQ(replies[0].json["id"], replies[1].json["id"]);
  EXPECT_EQ(replies[0].json["duration_seconds"], 15 * 60);
  EXPECT_EQ(replies[0].json["start_time"], "09:47:00");

  // Unassigned: logging asks for an issue; dismissing PROJ-9 removes it for good.
  const std::string unassigned_path =
      "/api/v1/me/activity-feed/" + unassigned["id"].get<std::string>();
  const Reply no_key = dev.Post(unassigned_path + "/log", json::object());
  EXPECT_EQ(no_key.status, 422) << no_key.body;
  EXPECT_EQ(no_key.json["field"], "issue_key");
  const std::string proj9_path = "/api/v1/me/activity-feed/" + proj9["id"].get<std::string>();
  EXPECT_EQ(dev.Post(proj9_path + "/dismiss", json::object()).status, 204);
  EXPECT_EQ(dev.Post(proj9_path + "/dismiss", json::object()).status, 204);
  EXPECT_EQ(dev.Post(proj9_path + "/log", json::object()).status, 404)
      << "a dismissed suggestion cannot be logged";

  const Reply worklogs = dev.Get("/api/v1/worklogs?from=" + day + "&to=" + day);
  ASSERT_EQ(worklogs.status, 200) << worklogs.body;
  ASSERT_EQ(worklogs.json["worklogs"].size(), 2u) << worklogs.body;
  std::set<std::string> logged_keys;
  for (const auto& worklog : worklogs.json["worklogs"]) {
    logged_keys.insert(worklog["issue_key"].get<std::string>());
    EXPECT_EQ(worklog["origin"], "activity_feed");
  }
  EXPECT_EQ(logged_keys, (std::set<std::string>{"PROJ-77", "PROJ-8"}));

  // Handled suggestions never come back, even when more activity arrives for their day.
  const Reply late =
      sim_.Api("POST", ProjectPath("/merge_requests/" + billing.json["iid"].dump() + "/notes"),
               {{"body", "PROJ-7 follow-up: rename it"}, {"created_at", at("11:20")}}, "dev");
  ASSERT_EQ(late.status, 201) << late.body;
  EXPECT_TRUE(WaitFor([&] {
    const Reply now = dev.Get("/api/v1/me/activity-feed?from=" + day + "&to=" + day);
    for (const auto& suggestion : now.json["suggestions"]) {
      if (suggestion["issue_key"].is_string()) {
        return false;
      }
    }
    return now.status == 200 && now.json["suggestions"].size() == 1;
  })) << dev.Get("/api/v1/me/activity-feed?from=" + day + "&to=" + day).body;

  // --- Bad ranges: 422 naming the field ---------------------------------------------------
  const Reply too_long = dev.Get("/api/v1/me/activity-feed?from=" + DaysAgo(70) + "&to=" + day);
  EXPECT_EQ(too_long.status, 422) << too_long.body;
  EXPECT_EQ(too_long.json["field"], "to");
  const Reply bad_from = dev.Get("/api/v1/me/activity-feed?from=2026-13-01&to=" + day);
  EXPECT_EQ(bad_from.status, 422);
  EXPECT_EQ(bad_from.json["field"], "from");
  const Reply reversed = dev.Get("/api/v1/me/activity-feed?from=" + day + "&to=" + DaysAgo(3));
  EXPECT_EQ(reversed.status, 422);
  EXPECT_EQ(reversed.json["field"], "to");
  // Exactly 62 days is fine.
  EXPECT_EQ(dev.Get("/api/v1/me/activity-feed?from=" + DaysAgo(63) + "&to=" + day).status, 200);
  // Bad overrides name their field.
  const Reply bad_duration =
      dev.Post(unassigned_path + "/log", {{"issue_key", "PROJ-1"}, {"duration_seconds", -5}});
  EXPECT_EQ(bad_duration.status, 422) << bad_duration.body;
  EXPECT_EQ(bad_duration.json["field"], "duration_seconds");
  const Reply bad_start =
      dev.Post(unassigned_path + "/log", {{"issue_key", "PROJ-1"}, {"start", "25:00"}});
  EXPECT_EQ(bad_start.status, 422) << bad_start.body;
  EXPECT_EQ(bad_start.json["field"], "start");
}

// DESIGN §3.6: a commit's "#time" (Jira) or "@45m" (GitLab) logs that time for its author,
// once per commit however many branches and deliveries carry it; its time leaves the feed.
TEST_P(ActivityFeedFlow, SmartCommitsLogTheirTimeOnceAcrossBranchesAndDeliveries) {
  const std::string day = DaysAgo(2);
  const auto at = [&](const std::string& local) { return KolkataAt(day, local); };
  SessionClient dev = SignedIn("dev@example.com");

  const std::string smart_message = "PROJ-11 Tune the cache #time 1h 30m";
  ASSERT_EQ(sim_.Push(project_id_, "feature/PROJ-11-cache",
                      json::array({Commit("PROJ-11 Warm the cache", "dev", at("13:00"), "warm.txt"),
                                   Commit(smart_message, "dev", at("15:00"), "tune.txt")}),
                      "dev", "main")
                .status,
            201);
  // GitLab's marker needs an issue reference; the Jira key comes from the branch.
  ASSERT_EQ(sim_.Push(project_id_, "feature/PROJ-12-retry",
                      json::array({Commit("Fix the flaky retry #12 @45m", "dev", at("16:00"),
                                          "retry.txt")}),
                      "dev", "main")
                .status,
            201);
  // An amount that cannot be parsed logs nothing (and stays in the feed).
  ASSERT_EQ(sim_.Push(project_id_, "feature/PROJ-13-docs",
                      json::array({Commit("PROJ-13 Document it #time 1.5h", "dev", at("17:00"),
                                          "docs.txt")}),
                      "dev", "main")
                .status,
            201);

  const auto smart_worklogs = [&] {
    std::vector<json> found;
    const Reply reply = dev.Get("/api/v1/worklogs?from=" + day + "&to=" + day);
    for (const auto& worklog : reply.json["worklogs"]) {
      found.push_back(worklog);
    }
    return found;
  };
  ASSERT_TRUE(WaitFor([&] { return smart_worklogs().size() == 2; }, seconds(20)))
      << dev.Get("/api/v1/worklogs?from=" + day + "&to=" + day).body;

  // The same commit again, rebased onto main (another sha, same author, title and time),
  // then GitLab's "test" push delivery of main: delivered a second and a third time.
  const Reply rebased = sim_.Push(
      project_id_, "main",
      json::array({Commit(smart_message, "dev", at("15:00"), "tune-rebased.txt")}), "dev");
  ASSERT_EQ(rebased.status, 201) << rebased.body;
  const Reply hooks = sim_.Api("GET", ProjectPath("/hooks"));
  ASSERT_EQ(hooks.status, 200) << hooks.body;
  ASSERT_EQ(hooks.json.size(), 1u) << hooks.body;
  const Reply redelivered =
      sim_.Api("POST", ProjectPath("/hooks/" + hooks.json[0]["id"].dump() + "/test/push_events"),
               json::object());
  ASSERT_EQ(redelivered.status, 201) << redelivered.body;
  // Both deliveries are stored as activities (the rebased sha is a new one) before we look.
  StoreReader store(db_url_);
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& activity : store.ActivitiesOf(dev_id_, "dev@example.com")) {
      if (activity.sha == rebased.json[0]["id"]) {
        return true;
      }
    }
    return false;
  })) << "the rebased commit never arrived";
  ASSERT_TRUE(WaitFor([&] {
    const Reply deliveries = sim_.Api("GET", "/-/sim/deliveries");
    for (const auto& delivery : deliveries.json) {
      if (delivery.value("outcome", "") == "pending") {
        return false;
      }
    }
    return true;
  })) << "webhook deliveries still pending";

  const std::vector<json> worklogs = smart_worklogs();
  ASSERT_EQ(worklogs.size(), 2u);
  std::map<std::string, json> by_key;
  for (const auto& worklog : worklogs) {
    EXPECT_EQ(worklog["origin"], "smart_commit") << worklog.dump();
    by_key[worklog["issue_key"]] = worklog;
  }
  ASSERT_TRUE(by_key.contains("PROJ-11") && by_key.contains("PROJ-12"));
  EXPECT_EQ(by_key["PROJ-11"]["duration_seconds"], 90 * 60);
  EXPECT_EQ(by_key["PROJ-11"]["start_date"], day);
  EXPECT_EQ(by_key["PROJ-11"]["start_time"], "13:30:00") << "ends with the 15:00 commit";
  EXPECT_EQ(by_key["PROJ-11"]["description"], smart_message);
  EXPECT_EQ(by_key["PROJ-11"]["activity_keys"].size(), 1u);
  EXPECT_EQ(by_key["PROJ-12"]["duration_seconds"], 45 * 60);
  EXPECT_EQ(by_key["PROJ-12"]["start_time"], "15:15:00");

  // The feed: the smart commits' time is logged, so no PROJ-11 share for 13:00-15:00 and
  // no PROJ-12; PROJ-11 keeps its 13:00 commit (lead-in 30 min); PROJ-13 (unparsable #time)
  // owns 16:00-17:00.
  const json feed = WaitForFeed(dev, day, 2);
  ASSERT_EQ(feed["suggestions"].size(), 2u) << feed.dump(2);
  EXPECT_EQ(feed["suggestions"][0]["issue_key"], "PROJ-11");
  EXPECT_EQ(feed["suggestions"][0]["start_time"], "12:30:00");
  EXPECT_EQ(feed["suggestions"][0]["duration_seconds"], 30 * 60);
  EXPECT_EQ(feed["suggestions"][0]["activities"].size(), 1u);
  EXPECT_EQ(feed["suggestions"][1]["issue_key"], "PROJ-13");
  EXPECT_EQ(feed["suggestions"][1]["start_time"], "16:00:00");
  EXPECT_EQ(feed["suggestions"][1]["duration_seconds"], 60 * 60);
}

// The organization's settings (PUT /api/v1/apps/gitlab/settings, administrators): the
// feed estimates with its max_gap, lead-in and rounding, and a smart commit's "1d" is its
// day. A refused change names its field and keeps what was set.
TEST_P(ActivityFeedFlow, OrganizationSettingsShapeTheFeedAndSmartCommits) {
  const std::string path = "/api/v1/apps/gitlab/settings";
  const Reply defaults = boss_->Get(path);
  ASSERT_EQ(defaults.status, 200) << defaults.body;
  EXPECT_EQ(defaults.json["max_gap_minutes"], 120);
  EXPECT_EQ(defaults.json["hours_per_day"], 8);
  EXPECT_TRUE(defaults.json["updated_at"].is_null());

  const Reply changed = boss_->Put(path, {{"max_gap_minutes", 60},
                                          {"lead_in_minutes", 10},
                                          {"rounding_minutes", 5},
                                          {"hours_per_day", 6}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["days_per_week"], 5) << "not named: unchanged";
  for (const auto& [body, field] :
       std::vector<std::pair<json, std::string>>{{{{"rounding_minutes", "5"}}, "rounding_minutes"},
                                                 {{{"max_gap_minutes", 0}}, "max_gap_minutes"},
                                                 {{{"days_per_week", 8}}, "days_per_week"},
                                                 {{{"lead_in", 10}}, "lead_in"}}) {
    const Reply refused = boss_->Put(path, body);
    EXPECT_EQ(refused.status, 422) << body.dump() << " " << refused.body;
    EXPECT_EQ(refused.json.value("field", ""), field) << refused.body;
  }
  const Reply kept = boss_->Get(path);
  EXPECT_EQ(kept.json["max_gap_minutes"], 60) << kept.body;
  EXPECT_EQ(kept.json["rounding_minutes"], 5) << kept.body;
  EXPECT_EQ(kept.json["hours_per_day"], 6) << kept.body;
  SessionClient dev = SignedIn("dev@example.com");
  EXPECT_EQ(dev.Get(path).status, 403) << "administrators only";

  const std::string day = DaysAgo(3);
  const auto at = [&](const std::string& local) { return KolkataAt(day, local); };
  ASSERT_EQ(sim_.Push(project_id_, "main",
                      json::array({Commit("PROJ-22 Step one", "dev", at("10:00"), "one.txt"),
                                   Commit("PROJ-22 Step two", "dev", at("11:30"), "two.txt"),
                                   Commit("PROJ-21 Estimate the rollout #time 1d", "dev",
                                          at("15:00"), "rollout.txt")}),
                      "dev")
                .status,
            201);
  // 1d is 6 hours here: the work ended with the 15:00 commit.
  json smart;
  ASSERT_TRUE(WaitFor(
      [&] {
        const Reply reply = dev.Get("/api/v1/worklogs?from=" + day + "&to=" + day);
        for (const auto& worklog : reply.json["worklogs"]) {
          if (worklog["origin"] == "smart_commit") {
            smart = worklog;
            return true;
          }
        }
        return false;
      },
      seconds(20)));
  EXPECT_EQ(smart["issue_key"], "PROJ-21");
  EXPECT_EQ(smart["duration_seconds"], 6 * 3600);
  EXPECT_EQ(smart["start_time"], "09:00:00");
  // PROJ-22: 90 minutes between its commits is over max_gap (60), so each commit starts a
  // session and owns only the 10-minute lead-in: 20 minutes from 09:50.
  const json feed = WaitForFeed(dev, day, 1);
  ASSERT_EQ(feed["suggestions"].size(), 1u) << feed.dump(2);
  EXPECT_EQ(feed["suggestions"][0]["issue_key"], "PROJ-22");
  EXPECT_EQ(feed["suggestions"][0]["start_time"], "09:50:00");
  EXPECT_EQ(feed["suggestions"][0]["duration_seconds"], 20 * 60);
}

// auto_log_day_end (DESIGN §3.6): off by default; switched on with PATCH /api/v1/me, the
// sync workers log the keyed suggestions of days that have ended, never unassigned or
// dismissed ones, never today's.
TEST_P(ActivityFeedFlow, AutoLogDayEndLogsKeyedSuggestionsOfEndedDays) {
  const std::string day = DaysAgo(2);
  const auto at = [&](const std::string& local) { return KolkataAt(day, local); };
  SessionClient eve = SignedIn("eve@example.com");

  Reply me = eve.Get("/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["user"]["auto_log_day_end"], false);
  EXPECT_EQ(me.json["user"]["timezone"], "Asia/Kolkata");

  ASSERT_EQ(sim_.Push(project_id_, "feature/PROJ-20-report",
                      json::array({Commit("PROJ-20 Start the report", "eve", at("10:00"), "r.txt"),
                                   Commit("PROJ-21 Fix the export", "eve", at("10:40"), "e.txt"),
                                   Commit("Tidy up", "eve", at("13:30"), "t.txt")}),
                      "eve", "main")
                .status,
            201);
  // Work today: its day has not ended.
  const std::string now = date::format(
      "%Y-%m-%dT%H:%M:%SZ",
      std::chrono::floor<seconds>(std::chrono::system_clock::now() - std::chrono::minutes(1)));
  ASSERT_EQ(sim_.Push(project_id_, "feature/PROJ-22-today",
                      json::array({Commit("PROJ-22 Today's work", "eve", now, "today.txt")}), "eve",
                      "main")
                .status,
            201);
  // 10:00 lead-in 30 (PROJ-20) | 10:40 +40 (PROJ-21) | 13:30 gap > 2 h: "Tidy up" on the
  // PROJ-20 branch: +30 for PROJ-20 -> PROJ-20 60 min from 09:30.
  json feed = WaitForFeed(eve, day, 2);
  ASSERT_EQ(feed["suggestions"].size(), 2u) << feed.dump(2);
  EXPECT_EQ(feed["suggestions"][0]["issue_key"], "PROJ-20");
  EXPECT_EQ(feed["suggestions"][1]["issue_key"], "PROJ-21");
  // An unassigned suggestion too: a comment on a keyless issue.
  const Reply issue = sim_.Api("POST", ProjectPath("/issues"),
                               {{"title", "Slow dashboard"}, {"created_at", at("08:00")}}, "owner");
  ASSERT_EQ(issue.status, 201) << issue.body;
  ASSERT_EQ(sim_.Api("POST", ProjectPath("/issues/" + issue.json["iid"].dump() + "/notes"),
                     {{"body", "Profiled it"}, {"created_at", at("18:00")}}, "eve")
                .status,
            201);
  feed = WaitForFeed(eve, day, 3);
  ASSERT_EQ(feed["suggestions"].size(), 3u) << feed.dump(2);
  const std::string today = date::format(
      "%F", std::chrono::floor<date::days>(std::chrono::system_clock::now() + kKolkataOffset));
  ASSERT_EQ(WaitForFeed(eve, today, 1)["suggestions"][0]["issue_key"], "PROJ-22");
  EXPECT_EQ(eve.Post("/api/v1/me/activity-feed/" + feed["suggestions"][1]["id"].get<std::string>() +
                         "/dismiss",
                     json::object())
                .status,
            204);

  // Bad input names its field; no CSRF token, no change.
  Reply bad = eve.Patch("/api/v1/me", {{"auto_log_day_end", "yes"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json["field"], "auto_log_day_end");
  bad = eve.Patch("/api/v1/me", {{"timezone", "Mars/Olympus_Mons"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json["field"], "timezone");
  bad = eve.Patch("/api/v1/me", {{"colour", "blue"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json["field"], "colour");
  ApiClient no_csrf(server_->port());
  const Reply forged = no_csrf.Patch("/api/v1/me", json{{"auto_log_day_end", true}}.dump(),
                                     {{"Cookie", "worklog_session=" + eve.session()}});
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(eve.Get("/api/v1/me").json["user"]["auto_log_day_end"], false);

  const Reply on = eve.Patch("/api/v1/me", {{"auto_log_day_end", true}});
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.json["user"]["auto_log_day_end"], true);
  EXPECT_EQ(on.json["user"]["timezone"], "Asia/Kolkata");
  EXPECT_EQ(eve.Get("/api/v1/me").json["user"]["auto_log_day_end"], true);

  const auto worklogs_of = [&](const std::string& from, const std::string& to) {
    return eve.Get("/api/v1/worklogs?from=" + from + "&to=" + to).json["worklogs"];
  };
  ASSERT_TRUE(WaitFor([&] { return worklogs_of(day, day).size() == 1; }, seconds(20)))
      << worklogs_of(day, day).dump(2);
  const json worklog = worklogs_of(day, day)[0];
  EXPECT_EQ(worklog["origin"], "automation");
  EXPECT_EQ(worklog["issue_key"], "PROJ-20");
  EXPECT_EQ(worklog["start_time"], "09:30:00");
  EXPECT_EQ(worklog["duration_seconds"], 60 * 60);
  EXPECT_EQ(worklog["activity_keys"].size(), 2u);
  // Left: the unassigned suggestion (only eve knows its issue); today's work is not logged.
  feed = WaitForFeed(eve, day, 1);
  EXPECT_TRUE(feed["suggestions"][0]["issue_key"].is_null()) << feed.dump(2);
  EXPECT_TRUE(worklogs_of(today, today).empty()) << worklogs_of(today, today).dump(2);

  // Switched off again, and the time zone changed: both stick, the other stays.
  ASSERT_EQ(eve.Patch("/api/v1/me", {{"auto_log_day_end", false}}).status, 200);
  const Reply moved = eve.Patch("/api/v1/me", {{"timezone", "Europe/Oslo"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json["user"]["timezone"], "Europe/Oslo");
  me = eve.Get("/api/v1/me");
  EXPECT_EQ(me.json["user"]["auto_log_day_end"], false);
  EXPECT_EQ(me.json["user"]["timezone"], "Europe/Oslo");
}

}  // namespace
}  // namespace worklog::testing

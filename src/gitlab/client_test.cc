#include "gitlab/client.h"

#include <atomic>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "gitlab/curl_transport.h"
#include "gitlab/testing/scripted_server.h"

namespace worklog::gitlab {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RecordingSleeper;
using testing::ScriptedServer;

constexpr const char* kToken = "glpat-secret-access-token-1234";

class ClientTest : public ::testing::Test {
 protected:
  Client MakeClient(ClientOptions options = {}) {
    options.sleeper = &sleeper_;
    options.clock = &clock_;
    auto base = BaseUrl::Parse(server_.url());
    EXPECT_TRUE(base);
    return {transport_, *base, kToken, std::move(options)};
  }

  static ClientOptions WithAttempts(int attempts) {
    ClientOptions options;
    options.retry.max_attempts = attempts;
    return options;
  }

  ScriptedServer server_;
  CurlTransport transport_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'700'000'000))};  // 2023-11-14T22:13:20Z
  RecordingSleeper sleeper_{&clock_};
};

TEST_F(ClientTest, CurrentUserIsReadWithTheBearerToken) {
  server_.Get("/api/v4/user", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"id":7,"username":"ada","name":"Ada L","email":"ada@example.com",
                        "public_email":null,"state":"active","is_admin":true})",
                    "application/json");
  });
  server_.Start();

  const auto user = MakeClient().CurrentUser();

  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->id, 7);
  EXPECT_EQ(user->username, "ada");
  EXPECT_EQ(user->email, "ada@example.com");
  EXPECT_EQ(user->public_email, "");
  EXPECT_TRUE(user->is_admin);
  EXPECT_EQ(server_.requests().at(0).authorization, std::string("Bearer ") + kToken);
}

TEST_F(ClientTest, OwnedProjectsFollowTheLinkHeaderAcrossPages) {
  server_.Get("/api/v4/projects", [](const httplib::Request& req, httplib::Response& res) {
    const std::string after = req.get_param_value("id_after");
    if (after.empty()) {
      // GitLab behind a proxy may advertise another host: only the path may be used.
      res.set_header("Link",
                     "<https://gitlab.internal.invalid/api/v4/projects?id_after=2&"
                     "min_access_level=50&order_by=id&pagination=keyset&per_page=100&sort=asc>; "
                     "rel=\"next\"");
      res.set_content(R"([{"id":1,"path_with_namespace":"g/a","permissions":{
                            "project_access":{"access_level":50},"group_access":null}},
                          {"id":2,"path_with_namespace":"g/b","permissions":{
                            "project_access":null,"group_access":null}}])",
                      "application/json");
    } else {
      res.set_content(R"([{"id":3,"path_with_namespace":"g/c","web_url":"https://x/g/c",
                           "permissions":{"project_access":{"access_level":40},
                                          "group_access":{"access_level":50}}}])",
                      "application/json");
    }
  });
  server_.Start();

  const auto projects = MakeClient().OwnedProjects();

  ASSERT_TRUE(projects) << projects.error().message;
  ASSERT_EQ(projects->size(), 3u);
  EXPECT_EQ((*projects)[2].path_with_namespace, "g/c");
  EXPECT_EQ((*projects)[2].access_level, kAccessOwner);
  EXPECT_EQ((*projects)[1].access_level, kAccessOwner);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Param("min_access_level"), "50");
  EXPECT_EQ(requests[0].Param("pagination"), "keyset");
  EXPECT_EQ(requests[0].Param("order_by"), "id");
  EXPECT_EQ(requests[0].Param("per_page"), "100");
  EXPECT_EQ(requests[1].Param("id_after"), "2");
  EXPECT_EQ(requests[1].authorization, std::string("Bearer ") + kToken);
}

TEST_F(ClientTest, ProjectEventsFollowXNextPageAndComeBackAsRawJsonObjects) {
  server_.Get(
      "/api/v4/projects/42/events", [](const httplib::Request& req, httplib::Response& res) {
        const std::string page = req.get_param_value("page");
        if (page.empty() || page == "1") {
          res.set_header("X-Next-Page", "2");
          res.set_content(R"([{"id":1,"action_name":"pushed to","push_data":{"ref":"main"}},
                          {"id":2,"action_name":"opened","target_type":"MergeRequest"}])",
                          "application/json");
        } else {
          res.set_header("X-Next-Page", "");
          res.set_content(R"([{"note":{"id":99,"body":"LGTM"},"id":3,"action_name":"commented on",
                                               "created_at":"2024-05-02T10:00:00.000+02:00"}])",
                          "application/json");
        }
      });
  server_.Start();
  EventsQuery query;
  query.after = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);
  query.before = std::chrono::sys_days(std::chrono::year(2024) / 5 / 31);

  const auto events = MakeClient().ProjectEvents(42, query);

  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  const auto first = nlohmann::json::parse((*events)[0].json);
  EXPECT_EQ(first["action_name"], "pushed to");
  EXPECT_EQ(first["push_data"]["ref"], "main");
  EXPECT_EQ(nlohmann::json::parse((*events)[2].json)["note"]["body"], "LGTM");
  // The top-level id and created_at, never a nested member's of the same name.
  EXPECT_EQ((*events)[0].id, 1);
  EXPECT_EQ((*events)[2].id, 3);
  EXPECT_EQ((*events)[0].created_at, std::nullopt);
  EXPECT_EQ((*events)[2].created_at,
            std::chrono::sys_days(std::chrono::year(2024) / 5 / 2) + std::chrono::hours(8));
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Param("after"), "2024-05-01");
  EXPECT_EQ(requests[0].Param("before"), "2024-05-31");
  EXPECT_EQ(requests[0].Param("sort"), "asc");
  EXPECT_EQ(requests[1].Param("page"), "2");
  EXPECT_EQ(requests[1].Param("after"), "2024-05-01");
}

TEST_F(ClientTest, EndlessPagesStopAtTheBoundWithAClearError) {
  server_.Get(
      "/api/v4/projects/1/members/all", [](const httplib::Request& req, httplib::Response& res) {
        const std::string page = req.get_param_value("page");
        const int next = (page.empty() ? 1 : std::stoi(page)) + 1;
        res.set_header("X-Next-Page", std::to_string(next));
        res.set_content(R"([{"id":1,"username":"a","access_level":30}])", "application/json");
      });
  server_.Start();
  ClientOptions options;
  options.max_pages = 3;

  const auto members = MakeClient(options).ProjectMembers(1);

  ASSERT_FALSE(members);
  EXPECT_THAT(members.error().message, HasSubstr("more than 3 pages"));
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(ClientTest, RateLimitedCallWaitsForRetryAfterSecondsThenSucceeds) {
  std::atomic<int> calls = 0;
  server_.Get("/api/v4/user", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "7");
      res.set_content(R"({"message":"Retry later"})", "application/json");
      return;
    }
    res.set_content(R"({"id":1,"username":"ada"})", "application/json");
  });
  server_.Start();

  const auto user = MakeClient().CurrentUser();

  ASSERT_TRUE(user) << user.error().message;
  EXPECT_THAT(sleeper_.waits(), ::testing::ElementsAre(milliseconds(7000)));
}

TEST_F(ClientTest, RetryAfterAsAnHttpDateIsHonoured) {
  std::atomic<int> calls = 0;
  server_.Get("/api/v4/user", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "Tue, 14 Nov 2023 22:13:50 GMT");  // now + 30 s
      return;
    }
    res.set_content(R"({"id":1})", "application/json");
  });
  server_.Start();

  ASSERT_TRUE(MakeClient().CurrentUser());
  EXPECT_THAT(sleeper_.waits(), ::testing::ElementsAre(milliseconds(30'000)));
}

TEST_F(ClientTest, RateLimitResetIsUsedWithoutRetryAfter) {
  std::atomic<int> calls = 0;
  server_.Get("/api/v4/user", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("RateLimit-Reset", "1700000012");  // now + 12 s
      return;
    }
    res.set_content(R"({"id":1})", "application/json");
  });
  server_.Start();

  ASSERT_TRUE(MakeClient().CurrentUser());
  EXPECT_THAT(sleeper_.waits(), ::testing::ElementsAre(milliseconds(12'000)));
}

TEST_F(ClientTest, RetryAfterBeyondTheCapGivesUpNamingWhenToRetry) {
  server_.Get("/api/v4/user", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "3600");
  });
  server_.Start();

  const auto user = MakeClient().CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kRateLimited);
  EXPECT_THAT(user.error().message, HasSubstr("retry after 2023-11-14T23:13:20Z"));
  EXPECT_TRUE(sleeper_.waits().empty());
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(ClientTest, ServerErrorThenSuccessIsRetriedAfterABackoff) {
  std::atomic<int> calls = 0;
  server_.Get("/api/v4/projects/5", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 500;
      res.set_content(R"({"message":"500 Internal Server Error"})", "application/json");
      return;
    }
    res.set_content(R"({"id":5,"path_with_namespace":"g/p"})", "application/json");
  });
  server_.Start();

  const auto project = MakeClient().GetProject(5);

  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->path_with_namespace, "g/p");
  const auto waits = sleeper_.waits();
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_GE(waits[0], milliseconds(250));  // initial 500 ms with equal jitter
  EXPECT_LE(waits[0], milliseconds(500));
}

TEST_F(ClientTest, PersistentOutageGivesUpAfterMaxAttemptsWithGrowingWaits) {
  server_.Get("/api/v4/user", [](const httplib::Request&, httplib::Response& res) {
    res.status = 502;
    res.set_content("<html>Bad Gateway</html>", "text/html");
  });
  server_.Start();

  const auto user = MakeClient(WithAttempts(4)).CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(user.error().message, HasSubstr("502"));
  EXPECT_THAT(user.error().message, HasSubstr("gave up after 4 attempts"));
  EXPECT_THAT(user.error().message, HasSubstr("retry after"));
  EXPECT_EQ(server_.requests().size(), 4u);
  const auto waits = sleeper_.waits();
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_GE(waits[1], milliseconds(500));   // 1 s with jitter
  EXPECT_GE(waits[2], milliseconds(1000));  // 2 s with jitter
}

TEST_F(ClientTest, TotalWaitIsBounded) {
  server_.Get("/api/v4/user", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "40");
  });
  server_.Start();
  ClientOptions options = WithAttempts(10);
  options.retry.max_total_wait = milliseconds(100'000);

  const auto user = MakeClient(options).CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(sleeper_.waits(), ::testing::ElementsAre(milliseconds(40'000), milliseconds(40'000)));
}

TEST_F(ClientTest, TimeoutIsRetriedThenReported) {
  server_.Get("/api/v4/user", [this](const httplib::Request&, httplib::Response& res) {
    server_.BlockUntilReleased();
    res.set_content(R"({"id":1})", "application/json");
  });
  server_.Start();
  ClientOptions options = WithAttempts(2);
  options.total_timeout = milliseconds(200);

  const auto user = MakeClient(options).CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(user.error().message, HasSubstr("timed out"));
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

TEST_F(ClientTest, TruncatedJsonIsRetriedAsTransient) {
  std::atomic<int> calls = 0;
  server_.Get("/api/v4/projects/9/repository/commits", [&calls](const httplib::Request&,
                                                                httplib::Response& res) {
    if (calls++ == 0) {
      res.set_content(R"([{"id":"abc","title":"Fix)", "application/json");
      return;
    }
    res.set_content(R"([{"id":"abc123","title":"Fix PROJ-1","message":"Fix PROJ-1\n\nbody",
                         "author_name":"Ada","author_email":"ada@example.com",
                         "authored_date":"2024-05-01T12:30:00.000+02:00",
                         "committed_date":"2024-05-01T10:31:00Z",
                         "parent_ids":["p1","p2"],"web_url":"https://x/c/abc123"}])",
                    "application/json");
  });
  server_.Start();

  const auto commits = MakeClient().Commits(9, {});

  ASSERT_TRUE(commits) << commits.error().message;
  ASSERT_EQ(commits->size(), 1u);
  const Commit& commit = (*commits)[0];
  EXPECT_EQ(commit.author_email, "ada@example.com");
  EXPECT_EQ(commit.authored_date, TimePoint(std::chrono::sys_days(std::chrono::year(2024) / 5 / 1) +
                                            std::chrono::hours(10) + std::chrono::minutes(30)));
  EXPECT_EQ(commit.committed_date,
            TimePoint(std::chrono::sys_days(std::chrono::year(2024) / 5 / 1) +
                      std::chrono::hours(10) + std::chrono::minutes(31)));
  EXPECT_THAT(commit.parent_ids, ::testing::ElementsAre("p1", "p2"));
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

TEST_F(ClientTest, JsonThatStaysBrokenIsAClearError) {
  server_.Get("/api/v4/user", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"id":1,"usern)", "application/json");
  });
  server_.Start();

  const auto user = MakeClient(WithAttempts(2)).CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(user.error().message, HasSubstr("invalid JSON for GET /api/v4/user"));
  EXPECT_THAT(user.error().message, HasSubstr("truncated?"));
}

TEST_F(ClientTest, UnauthorizedRefreshesOnceAndRetriesWithTheNewToken) {
  server_.Get("/api/v4/user", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer fresh-token") {
      res.status = 401;
      res.set_content(R"({"error":"invalid_token","error_description":"Token is expired."})",
                      "application/json");
      return;
    }
    res.set_content(R"({"id":1,"username":"ada"})", "application/json");
  });
  server_.Start();
  int refreshes = 0;
  ClientOptions options;
  options.refresh = [&refreshes]() -> Result<std::string> {
    ++refreshes;
    return std::string("fresh-token");
  };
  Client client = MakeClient(options);

  const auto user = client.CurrentUser();
  const auto again = client.CurrentUser();

  ASSERT_TRUE(user) << user.error().message;
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(refreshes, 1);
  EXPECT_EQ(server_.requests().size(), 3u);  // 401, retry, second call with the new token
}

TEST_F(ClientTest, FailedRefreshMeansReauthorizationNeeded) {
  server_.Get("/api/v4/user",
              [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  server_.Start();
  ClientOptions options;
  options.refresh = []() -> Result<std::string> {
    return Unauthenticated("GitLab rejected the refresh token (invalid_grant)");
  };

  const auto user = MakeClient(options).CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(user.error().message, HasSubstr("re-authorization needed"));
}

TEST_F(ClientTest, RefreshThatCannotReachGitlabIsTransientNotReauthorization) {
  server_.Get("/api/v4/user",
              [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  server_.Start();
  ClientOptions options;
  options.refresh = []() -> Result<std::string> { return Unavailable("connection refused"); };

  const auto user = MakeClient(options).CurrentUser();

  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
}

TEST_F(ClientTest, UnauthorizedAgainAfterRefreshOrWithoutRefreshNeedsReauthorization) {
  server_.Get("/api/v4/user",
              [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  server_.Start();
  int refreshes = 0;
  ClientOptions options;
  options.refresh = [&refreshes]() -> Result<std::string> {
    ++refreshes;
    return std::string("also-rejected");
  };

  const auto with_refresh = MakeClient(options).CurrentUser();
  const auto without_refresh = MakeClient().CurrentUser();

  ASSERT_FALSE(with_refresh);
  EXPECT_EQ(with_refresh.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(with_refresh.error().message, HasSubstr("re-authorization needed"));
  EXPECT_EQ(refreshes, 1);
  ASSERT_FALSE(without_refresh);
  EXPECT_EQ(without_refresh.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(without_refresh.error().message, HasSubstr("re-authorization needed"));
}

TEST_F(ClientTest, TokenNeverAppearsInErrorMessages) {
  // A misbehaving proxy that echoes the Authorization header into its error bodies.
  auto echo = [](int status) {
    return [status](const httplib::Request& req, httplib::Response& res) {
      res.status = status;
      const nlohmann::json body = {{"message", "bad " + req.get_header_value("Authorization")}};
      res.set_content(body.dump(), "application/json");
    };
  };
  server_.Get("/api/v4/user", echo(500));
  server_.Get("/api/v4/projects/1", echo(404));
  server_.Get("/api/v4/projects/2", echo(400));
  server_.Post("/api/v4/projects/3/hooks", echo(422));
  server_.Start();
  Client client = MakeClient(WithAttempts(1));

  const auto user = client.CurrentUser();
  const auto missing = client.GetProject(1);
  const auto bad = client.GetProject(2);
  HookSpec spec;
  spec.url = "https://worklog.example.com/hooks/gitlab";
  spec.token = "hook-secret-token";
  const auto hook = client.CreateProjectHook(3, spec);

  ASSERT_FALSE(user);
  ASSERT_FALSE(missing);
  ASSERT_FALSE(bad);
  ASSERT_FALSE(hook);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  for (const auto* error : {&user.error(), &missing.error(), &bad.error(), &hook.error()}) {
    EXPECT_THAT(error->message, Not(HasSubstr(kToken)));
    EXPECT_THAT(error->message, HasSubstr("[REDACTED]"));
  }
}

// Captures every log line (debug included) while alive.
class CapturedLogs {
 public:
  CapturedLogs() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  CapturedLogs(const CapturedLogs&) = delete;
  CapturedLogs& operator=(const CapturedLogs&) = delete;
  CapturedLogs(CapturedLogs&&) = delete;
  CapturedLogs& operator=(CapturedLogs&&) = delete;
  ~CapturedLogs() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(ClientTest, TokenNeverAppearsInLogLines) {
  std::atomic<int> calls = 0;
  server_.Get("/api/v4/user", [&calls](const httplib::Request& req, httplib::Response& res) {
    const nlohmann::json body = {{"message", "echo " + req.get_header_value("Authorization")}};
    res.status = calls++ < 2 ? 503 : 401;
    res.set_content(body.dump(), "application/json");
  });
  server_.Start();
  ClientOptions options = WithAttempts(3);
  options.refresh = []() -> Result<std::string> {
    return Unauthenticated("refresh token rejected");
  };
  CapturedLogs logs;

  const auto user = MakeClient(options).CurrentUser();

  ASSERT_FALSE(user);
  const std::string text = logs.text();
  EXPECT_THAT(text, HasSubstr("/api/v4/user"));  // the calls were logged...
  EXPECT_THAT(text, HasSubstr("[REDACTED]"));    // ...with GitLab's echo of it blanked
  EXPECT_THAT(text, Not(HasSubstr(kToken)));
}

TEST_F(ClientTest, CommitListingStopsAtTheRequestedCount) {
  server_.Get("/api/v4/projects/4/repository/commits",
              [](const httplib::Request& req, httplib::Response& res) {
                const std::string page = req.get_param_value("page");
                const int number = page.empty() ? 1 : std::stoi(page);
                res.set_header("X-Next-Page", std::to_string(number + 1));
                const nlohmann::json commits = {{{"id", "c" + std::to_string(2 * number - 1)}},
                                                {{"id", "c" + std::to_string(2 * number)}}};
                res.set_content(commits.dump(), "application/json");
              });
  server_.Start();
  ClientOptions options;
  options.per_page = 2;
  CommitsQuery query;
  query.ref_name = "new-branch";
  query.max_commits = 3;

  const auto commits = MakeClient(options).Commits(4, query);

  ASSERT_TRUE(commits) << commits.error().message;
  ASSERT_EQ(commits->size(), 3u);
  EXPECT_EQ((*commits)[2].id, "c3");
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(ClientTest, CommitRangeAsksForTheCommitsOfAPush) {
  server_.Get("/api/v4/projects/4/repository/commits",
              [](const httplib::Request&, httplib::Response& res) {
                res.set_content(R"([{"id":"bbbbbbb"}])", "application/json");
              });
  server_.Start();
  Client client = MakeClient();

  const auto commits = client.CommitRange(4, "aaaaaaa1", "bbbbbbb2");
  const auto new_branch =
      client.CommitRange(4, "0000000000000000000000000000000000000000", "bbbbbbb2");

  ASSERT_TRUE(commits) << commits.error().message;
  EXPECT_EQ(server_.requests().at(0).Param("ref_name"), "aaaaaaa1..bbbbbbb2");
  ASSERT_FALSE(new_branch);
  EXPECT_EQ(new_branch.error().field, "before");
}

TEST_F(ClientTest, CommitsPassRefAndTimeFilters) {
  server_.Get("/api/v4/projects/4/repository/commits",
              [](const httplib::Request&, httplib::Response& res) {
                res.set_content("[]", "application/json");
              });
  server_.Start();
  CommitsQuery query;
  query.ref_name = "feature/PROJ-7";
  query.since = TimePoint(std::chrono::seconds(1'700'000'000));
  query.all = true;

  ASSERT_TRUE(MakeClient().Commits(4, query));

  const auto request = server_.requests().at(0);
  EXPECT_EQ(request.Param("ref_name"), "feature/PROJ-7");
  EXPECT_EQ(request.Param("since"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(request.Param("all"), "true");
  EXPECT_EQ(request.Param("until"), "");
}

TEST_F(ClientTest, MergeRequestsAreListedByUpdateTime) {
  server_.Get("/api/v4/projects/4/merge_requests",
              [](const httplib::Request&, httplib::Response& res) {
                res.set_content(R"([{"id":100,"iid":3,"project_id":4,"title":"PROJ-7 login",
                   "state":"merged","source_branch":"PROJ-7-login","target_branch":"main",
                   "author":{"id":7,"username":"ada","name":"Ada"},
                   "merge_user":{"id":8,"username":"bob","name":"Bob"},
                   "created_at":"2024-05-01T08:00:00.000Z","updated_at":"2024-05-02T09:00:00.000Z",
                   "merged_at":"2024-05-02T09:00:00.000Z","closed_at":null,
                   "web_url":"https://x/g/p/-/merge_requests/3"}])",
                                "application/json");
              });
  server_.Start();

  const auto mrs = MakeClient().MergeRequests(4, TimePoint(std::chrono::seconds(1'700'000'000)));

  ASSERT_TRUE(mrs) << mrs.error().message;
  ASSERT_EQ(mrs->size(), 1u);
  EXPECT_EQ((*mrs)[0].iid, 3);
  EXPECT_EQ((*mrs)[0].author.username, "ada");
  ASSERT_TRUE((*mrs)[0].merged_by);
  EXPECT_EQ((*mrs)[0].merged_by->username, "bob");
  EXPECT_TRUE((*mrs)[0].merged_at);
  EXPECT_FALSE((*mrs)[0].closed_at);
  const auto request = server_.requests().at(0);
  EXPECT_EQ(request.Param("updated_after"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(request.Param("order_by"), "updated_at");
  EXPECT_EQ(request.Param("state"), "all");
}

TEST_F(ClientTest, MembersEmailsAndUserSearch) {
  server_.Get("/api/v4/projects/4/members/all",
              [](const httplib::Request&, httplib::Response& res) {
                res.set_content(R"([{"id":7,"username":"ada","name":"Ada","state":"active",
                         "access_level":50}])",
                                "application/json");
              });
  server_.Get("/api/v4/user/emails", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"id":1,"email":"ada@work.example","confirmed_at":"2024-01-01T00:00:00Z"},
                        {"id":2,"email":"ada@home.example","confirmed_at":null}])",
                    "application/json");
  });
  server_.Get("/api/v4/users", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"id":7,"username":"ada","name":"Ada Lovelace","state":"active"}])",
                    "application/json");
  });
  server_.Start();
  Client client = MakeClient();

  const auto members = client.ProjectMembers(4);
  const auto emails = client.CurrentUserEmails();
  const auto users = client.SearchUsers("ada+work@example.com");

  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].access_level, kAccessOwner);
  ASSERT_TRUE(emails);
  ASSERT_EQ(emails->size(), 2u);
  EXPECT_TRUE((*emails)[0].confirmed);
  EXPECT_FALSE((*emails)[1].confirmed);
  ASSERT_TRUE(users);
  EXPECT_EQ((*users)[0].name, "Ada Lovelace");
  EXPECT_EQ(server_.requests().at(2).Param("search"), "ada+work@example.com");
}

TEST_F(ClientTest, HooksAreCreatedListedAndDeleted) {
  server_.Post("/api/v4/projects/4/hooks", [](const httplib::Request& req, httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body);
    nlohmann::json hook = body;
    hook.erase("token");  // GitLab never returns it
    hook["id"] = 11;
    hook["project_id"] = 4;
    res.status = 201;
    res.set_content(hook.dump(), "application/json");
  });
  server_.Get("/api/v4/projects/4/hooks", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"id":11,"url":"https://w.example/hooks/gitlab","push_events":true,
                         "alert_status":"executable"}])",
                    "application/json");
  });
  server_.Delete(R"(/api/v4/projects/4/hooks/(\d+))",
                 [](const httplib::Request& req, httplib::Response& res) {
                   res.status = req.matches[1] == "11" ? 204 : 404;
                 });
  server_.Start();
  Client client = MakeClient();
  HookSpec spec;
  spec.url = "https://w.example/hooks/gitlab";
  spec.token = "s3cret";

  const auto created = client.CreateProjectHook(4, spec);
  const auto listed = client.ListProjectHooks(4);
  const auto deleted = client.DeleteProjectHook(4, 11);
  const auto deleted_again = client.DeleteProjectHook(4, 12);

  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->id, 11);
  EXPECT_TRUE(created->merge_requests_events);
  const auto sent = nlohmann::json::parse(server_.requests().at(0).body);
  EXPECT_EQ(sent["token"], "s3cret");
  EXPECT_EQ(sent["push_events"], true);
  EXPECT_EQ(sent["note_events"], true);
  EXPECT_EQ(sent["issues_events"], true);
  EXPECT_EQ(server_.requests().at(0).content_type, "application/json");
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)[0].alert_status, "executable");
  EXPECT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(deleted_again) << deleted_again.error().message;
}

TEST_F(ClientTest, HookCreationIsNotRepeatedAfterAServerError) {
  server_.Post("/api/v4/projects/4/hooks",
               [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  server_.Start();
  HookSpec spec;
  spec.url = "https://w.example/hooks/gitlab";

  const auto created = MakeClient().CreateProjectHook(4, spec);

  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(ClientTest, ConcurrentUnauthorizedCallsShareOneRefresh) {
  server_.Get("/api/v4/user", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer fresh-token") {
      res.status = 401;
      return;
    }
    res.set_content(R"({"id":1})", "application/json");
  });
  server_.Start();
  std::atomic<int> refreshes = 0;
  ClientOptions options;
  options.refresh = [&refreshes]() -> Result<std::string> {
    ++refreshes;
    return std::string("fresh-token");
  };
  Client client = MakeClient(options);

  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> ok = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { ok += client.CurrentUser() ? 1 : 0; });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(ok, 4);
  EXPECT_EQ(refreshes, 1);
}

}  // namespace
}  // namespace worklog::gitlab

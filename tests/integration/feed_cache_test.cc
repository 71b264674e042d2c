// The Activity Feed response cache (app/feed_cache.h) never shows a stale feed: a read,
// then a push, a log or a dismiss, then a read shows the change at once, also when the
// write went through another `worklog serve` node on the same PostgreSQL database (the
// cache is per process; the store's FeedStamp tells every node what changed). And the feed
// is the same JSON whether the client takes it gzipped (as browsers do) or not.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gitlab_world.h"

namespace worklog::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

struct Setup {
  Backend backend;
  int nodes;
};

std::string SetupName(const ::testing::TestParamInfo<Setup>& info) {
  return info.param.nodes == 1 ? "OneNodeSqlite" : "TwoNodesPostgres";
}

class FeedCacheFlow : public ::testing::TestWithParam<Setup> {
 protected:
  void SetUp() override {
    world_ = GitlabWorld::Create(GetParam().backend);
    if (!world_) {
      GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
    }
    world_->SetUp(GetParam().nodes, {"--poll-interval", "3600"});
    ASSERT_FALSE(HasFatalFailure());
    world_->Connect();
    ASSERT_FALSE(HasFatalFailure());
    db_ = std::make_unique<Db>(world_->db_url());
    day_ = std::chrono::floor<date::days>(SystemClock().Now()) - date::days(1);
    path_ = "/api/v1/me/activity-feed?from=" + date::format("%F", day_) +
            "&to=" + date::format("%F", day_);
  }

  // Ada's commits on `day_` at `hh:mm` UTC, stored once this returns.
  void PushAndSettle(const std::vector<std::pair<std::string, int>>& commits_at_minutes) {
    std::vector<std::pair<std::string, TimePoint>> commits;
    for (const auto& [message, minute] : commits_at_minutes) {
      commits.emplace_back(message, TimePoint(day_) + minutes(minute));
    }
    const auto shas = world_->Push(world_->api_id(), world_->ada(), "main", commits);
    ASSERT_TRUE(WaitFor([&] {
      const auto stored = world_->CommitsStored(*db_);
      for (const auto& sha : shas) {
        if (!stored.contains(sha)) {
          return false;
        }
      }
      return true;
    })) << world_->NodeLogs();
  }

  // Ada's feed as node `node` answers it now (no waiting), as a browser asks for it.
  json Feed(std::size_t node) {
    ApiClient client = world_->As(world_->ada().email, node);
    const Reply reply = client.Get(path_, {{"Accept-Encoding", "gzip, deflate, br"}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(reply.Header("Vary"), "Accept-Encoding");
    // The same document for a client that takes no compression.
    const Reply plain = client.Get(path_, {{"Accept-Encoding", "identity"}});
    EXPECT_EQ(plain.status, 200) << plain.body;
    EXPECT_EQ(plain.Header("Content-Encoding"), "");
    EXPECT_EQ(plain.Header("Content-Type"), "application/json");
    EXPECT_EQ(plain.json, reply.json);
    return reply.json;
  }

  static std::vector<std::string> IssueKeys(const json& feed) {
    std::vector<std::string> keys;
    for (const auto& suggestion : feed["suggestions"]) {
      keys.push_back(suggestion["issue_key"].is_null() ? "-" : suggestion["issue_key"]);
    }
    return keys;
  }

  std::size_t reader() const { return 0; }
  std::size_t writer() const { return world_->nodes() - 1; }  // another node when there are two

  std::unique_ptr<GitlabWorld> world_;
  std::unique_ptr<Db> db_;
  date::sys_days day_{};
  std::string path_;
};

INSTANTIATE_TEST_SUITE_P(Deployments, FeedCacheFlow,
                         ::testing::Values(Setup{Backend::kSqlite, 1},
                                           Setup{Backend::kPostgres, 2}),
                         SetupName);

TEST_P(FeedCacheFlow, EveryWriteShowsAtTheNextReadOnEveryNode) {
  PushAndSettle({{"PROJ-1 parse the config", 9 * 60}, {"PROJ-1 validate it", 9 * 60 + 40}});
  const json first = Feed(reader());
  ASSERT_EQ(IssueKeys(first), std::vector<std::string>{"PROJ-1"}) << first.dump(2);
  EXPECT_EQ(Feed(reader()), first);  // read again: the same feed

  // A push: its suggestion is there at the first read after it is stored.
  PushAndSettle({{"PROJ-2 cache the feed", 14 * 60}});
  const json pushed = Feed(reader());
  ASSERT_EQ(IssueKeys(pushed), (std::vector<std::string>{"PROJ-1", "PROJ-2"})) << pushed.dump(2);

  // Dismissed through the writer node: gone from the reader node at once.
  ApiClient other = world_->As(world_->ada().email, writer());
  const std::string proj1 = pushed["suggestions"][0]["id"];
  const std::string proj2 = pushed["suggestions"][1]["id"];
  const Reply dismissed =
      other.Post("/api/v1/me/activity-feed/" + proj1 + "/dismiss", json::object());
  ASSERT_EQ(dismissed.status, 204) << dismissed.body;
  EXPECT_EQ(IssueKeys(Feed(reader())), std::vector<std::string>{"PROJ-2"});

  // Logged through the writer node: gone too, and the worklog is there.
  const Reply logged = other.Post("/api/v1/me/activity-feed/" + proj2 + "/log", json::object());
  ASSERT_EQ(logged.status, 201) << logged.body;
  EXPECT_EQ(IssueKeys(Feed(reader())), std::vector<std::string>{});

  // Another push after that: back in the feed at once.
  PushAndSettle({{"PROJ-3 measure it", 16 * 60}});
  EXPECT_EQ(IssueKeys(Feed(reader())), std::vector<std::string>{"PROJ-3"});

  // Bob's pushes are not Ada's: her feed stays as it was.
  const json before = Feed(reader());
  world_->Push(world_->api_id(), world_->bob(), "main",
               {{"PROJ-4 bob's own work", TimePoint(day_) + hours(17)}});
  ASSERT_TRUE(world_->WaitQuiet(*db_)) << world_->NodeLogs();
  EXPECT_EQ(Feed(reader()), before);
}

// A month is rendered with gzip's fastest level so that a change answers fast; a feed read
// again is compressed harder in the background and the next reads send fewer bytes of the
// same document (and the plain JSON is unchanged too).
TEST_P(FeedCacheFlow, AFeedReadAgainIsSentSmallerAndStaysTheSameDocument) {
  std::vector<std::pair<std::string, int>> commits;
  for (int i = 0; i < 24; ++i) {
    commits.emplace_back("PROJ-" + std::to_string(1 + i % 6) + " step " + std::to_string(i) +
                             " of the feed cache: render, compress, send and keep it",
                         8 * 60 + 25 * i);
  }
  PushAndSettle(commits);
  ApiClient client = world_->As(world_->ada().email, reader());
  const auto gzipped_bytes = [&] {
    const Reply reply = client.Get(path_, {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.Header("Content-Encoding"), "gzip");
    return std::stoul(reply.Header("Content-Length"));
  };
  const std::size_t rendered = gzipped_bytes();
  const json first = Feed(reader());  // read again: compressed harder in the background
  ASSERT_FALSE(first["suggestions"].empty()) << first.dump(2);
  ASSERT_TRUE(WaitFor([&] { return gzipped_bytes() < rendered; })) << world_->NodeLogs();
  EXPECT_EQ(Feed(reader()), first);
}

}  // namespace
}  // namespace worklog::testing

// The Activity Feed use cases over a real (SQLite) store: attributed activities become
// suggestions, logging one creates one worklog however often it is posted, handled
// suggestions never come back, and nobody reaches another user's suggestion.
#include "app/activity_feed.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>

#include "app/feed_settings.h"
#include "app/worklogs.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace worklog::app {
namespace {

TimePoint Utc(int hh, int mm, unsigned day = 24) {
  return date::sys_days{date::year{2026} / date::November / date::day{day}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm};
}

domain::Activity Commit(const std::string& key, TimePoint at, int64_t pusher,
                        const std::string& email, std::vector<std::string> keys,
                        const std::string& title) {
  domain::Activity activity;
  activity.key = key;
  activity.kind = domain::ActivityKind::kCommit;
  activity.action = "pushed";
  activity.occurred_at = at;
  activity.project_id = 9;
  activity.project_path = "acme/api";
  activity.gitlab_user_id = pusher;
  activity.author_email = email;
  activity.author_name = "Someone";
  activity.title = title;
  activity.body = title;
  activity.url = "https://gitlab.example.com/acme/api/-/commit/" + key;
  activity.ref = "main";
  activity.sha = key;
  activity.issue_keys = std::move(keys);
  return activity;
}

class ActivityFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    worklogs_ = std::make_unique<Worklogs>(*store_, clock_);
    feed_ = std::make_unique<ActivityFeed>(*store_, clock_, *worklogs_);
    ada_ = AddUser("ada@example.com", 101);
    bob_ = AddUser("bob@example.com", 102);
    // Oslo is UTC+1 in November: 08:10Z is 09:10 local.
    ASSERT_TRUE(store_->Activities().InsertBatch({
        Commit("c1", Utc(8, 10), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 start login"),
        Commit("c2", Utc(9, 40), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 finish login"),
        Commit("c3", Utc(13, 0), 101, "ada@example.com", {}, "tidy up"),
        Commit("c4", Utc(10, 0), 102, "bob@example.com", {"PROJ-9"}, "PROJ-9 bob's work"),
    }));
  }

  Principal AddUser(const std::string& email, int64_t gitlab_user_id) {
    auto user = store_->Users().Create({.email = email,
                                        .name = "Staff",
                                        .role = domain::Role::kUser,
                                        .timezone = "Europe/Oslo",
                                        .password_hash = ""});
    EXPECT_TRUE(user) << user.error().message;
    store::GitlabIdentity identity;
    identity.user_id = user->id;
    identity.gitlab_user_id = gitlab_user_id;
    identity.username = email.substr(0, email.find('@'));
    identity.emails = {email};
    identity.connected_by = user->id;
    identity.connected_at = clock_.Now();
    EXPECT_TRUE(store_->GitlabOrg().LinkIdentity(identity));
    Principal principal;
    principal.user = *user;
    return principal;
  }

  std::vector<feed::Suggestion> Feed(const Principal& who) {
    auto page = feed_->Get(who, {.from = "2026-11-24", .to = "2026-11-24"});
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->suggestions : std::vector<feed::Suggestion>{};
  }

  FakeClock clock_{Utc(18, 0)};
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Worklogs> worklogs_;
  std::unique_ptr<ActivityFeed> feed_;
  Principal ada_;
  Principal bob_;
};

TEST_F(ActivityFeedTest, FeedShowsTheDaysSuggestionsWithHandComputedDurations) {
  const auto suggestions = Feed(ada_);
  ASSERT_EQ(suggestions.size(), 2u);
  // PROJ-7: lead-in 30 min before 09:10, then the 90 min gap to 10:40 = 2 h.
  EXPECT_EQ(suggestions[0].issue_key, std::optional<std::string>("PROJ-7"));
  EXPECT_EQ(suggestions[0].date, "2026-11-24");
  EXPECT_EQ(suggestions[0].start_time, "08:40:00");
  EXPECT_EQ(suggestions[0].duration, std::chrono::hours(2));
  ASSERT_EQ(suggestions[0].activities.size(), 2u);
  // 14:00 local is 3 h 20 min after 10:40: a new session, the lead-in only (30 min).
  EXPECT_EQ(suggestions[1].issue_key, std::nullopt);
  EXPECT_EQ(suggestions[1].duration, std::chrono::minutes(30));
}

TEST_F(ActivityFeedTest, OrganizationSettingsChangeTheEstimateAtTheNextRead) {
  ASSERT_EQ(Feed(ada_).at(0).duration, std::chrono::hours(2));
  auto admin_user = store_->Users().Create({.email = "admin@example.com",
                                            .name = "Admin",
                                            .role = domain::Role::kAdmin,
                                            .timezone = "UTC",
                                            .password_hash = ""});
  ASSERT_TRUE(admin_user);
  Principal admin;
  admin.user = *admin_user;
  FeedSettings settings(*store_, clock_);

  FeedSettingsInput input;
  input.max_gap_minutes = 60;
  auto refused = settings.Update(ada_, input);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  input.rounding_minutes = 0;
  auto invalid = settings.Update(admin, input);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().field, "rounding_minutes");
  FeedSettingsInput long_day;
  long_day.hours_per_day = 25;
  auto invalid_day = settings.Update(admin, long_day);
  ASSERT_FALSE(invalid_day);
  EXPECT_EQ(invalid_day.error().field, "hours_per_day");
  // Nothing of a refused change was kept.
  ASSERT_EQ(Feed(ada_).at(0).duration, std::chrono::hours(2));

  input.lead_in_minutes = 10;
  input.rounding_minutes = 5;
  auto updated = settings.Update(admin, input);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->updated_by, admin.user.id);
  EXPECT_EQ(updated->hours_per_day, 8);  // not named: unchanged
  const auto suggestions = Feed(ada_);
  ASSERT_EQ(suggestions.size(), 2u);
  // PROJ-7: a 10-min lead-in before 09:10; the 90-min gap to 10:40 is over max_gap now, so
  // 10:40 starts a session of its own: another 10 min. 20 min, from 09:00.
  EXPECT_EQ(suggestions[0].issue_key, std::optional<std::string>("PROJ-7"));
  EXPECT_EQ(suggestions[0].start_time, "09:00:00");
  EXPECT_EQ(suggestions[0].duration, std::chrono::minutes(20));
  EXPECT_EQ(suggestions[1].duration, std::chrono::minutes(10));
}

TEST_F(ActivityFeedTest, RangeOverSixtyTwoDaysNamesTo) {
  auto page = feed_->Get(ada_, {.from = "2026-01-01", .to = "2026-03-04"});
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(page.error().field, "to");
  auto bad = feed_->Get(ada_, {.from = "2026-13-01", .to = "2026-11-24"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "from");
}

TEST_F(ActivityFeedTest, UserWithoutGitlabIdentityHasAnEmptyFeed) {
  auto carol = store_->Users().Create({.email = "carol@example.com",
                                       .name = "Carol",
                                       .role = domain::Role::kUser,
                                       .timezone = "Europe/Oslo",
                                       .password_hash = ""});
  ASSERT_TRUE(carol);
  Principal who;
  who.user = *carol;
  EXPECT_TRUE(Feed(who).empty());
}

TEST_F(ActivityFeedTest, LoggingTwiceCreatesOneWorklogAndTheSuggestionIsGone) {
  const auto suggestion = Feed(ada_).at(0);
  auto first = feed_->Log(ada_, suggestion.id, {});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->origin, domain::WorklogOrigin::kActivityFeed);
  EXPECT_EQ(first->issue_key, "PROJ-7");
  EXPECT_EQ(first->duration_seconds, 7200);
  EXPECT_EQ(first->start_date, "2026-11-24");
  EXPECT_EQ(first->start_time, "08:40:00");
  EXPECT_EQ(first->activity_keys, (std::vector<std::string>{"c1", "c2"}));
  auto second = feed_->Log(ada_, suggestion.id, {});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->id, first->id);
  auto listed =
      worklogs_->List(ada_, {.from = "2026-11-24", .to = "2026-11-24", .user_id = std::nullopt});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->worklogs.size(), 1u);
  const auto left = Feed(ada_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_NE(left[0].id, suggestion.id);
}

// A commit naming two issues shares its time between their suggestions: both can be logged
// (each once), and neither is refused as "logged already" because of the other.
TEST_F(ActivityFeedTest, ACommitNamingTwoIssuesCanBeLoggedUnderEach) {
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("c5", Utc(15, 0), 101, "ada@example.com", {"OPS-2", "OPS-3"}, "OPS-2 OPS-3 fix")}));
  std::vector<feed::Suggestion> shared;
  for (const auto& suggestion : Feed(ada_)) {
    if (suggestion.issue_key == "OPS-2" || suggestion.issue_key == "OPS-3") {
      shared.push_back(suggestion);
    }
  }
  ASSERT_EQ(shared.size(), 2u);
  for (const auto& suggestion : shared) {
    auto logged = feed_->Log(ada_, suggestion.id, {});
    ASSERT_TRUE(logged) << suggestion.issue_key.value_or("") << ": " << logged.error().message;
    EXPECT_EQ(logged->issue_key, suggestion.issue_key.value_or(""));
    EXPECT_EQ(logged->activity_keys, (std::vector<std::string>{"c5"}));
  }
  for (const auto& suggestion : Feed(ada_)) {
    EXPECT_NE(suggestion.issue_key, std::optional<std::string>("OPS-2"));
    EXPECT_NE(suggestion.issue_key, std::optional<std::string>("OPS-3"));
  }
}

// Logging looks in the last week first, then back to kFeedLookbackDays: a suggestion from
// either side of that boundary, and from the oldest day, is found; an older one is not.
TEST_F(ActivityFeedTest, SuggestionsFromEveryDayOfTheLookbackCanBeLogged) {
  const auto day_back = [](int days) {
    return Utc(10, 0, 24) - std::chrono::days(days);  // 11:00 in Oslo, the same local day
  };
  const std::vector<int> ages = {kFeedRecentDays - 1, kFeedRecentDays, kFeedRecentDays + 1,
                                 kFeedLookbackDays - 1};
  std::vector<domain::Activity> older;
  for (int age : ages) {
    older.push_back(Commit("old" + std::to_string(age), day_back(age), 101, "ada@example.com",
                           {"OLD-" + std::to_string(age)}, "OLD-" + std::to_string(age)));
  }
  older.push_back(Commit("too-old", day_back(kFeedLookbackDays + 2), 101, "ada@example.com",
                         {"OLD-999"}, "OLD-999"));
  ASSERT_TRUE(store_->Activities().InsertBatch(older));
  for (int age : ages) {
    const std::string day = date::format("%F", std::chrono::floor<date::days>(day_back(age)));
    auto page = feed_->Get(ada_, {.from = day, .to = day});
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->suggestions.size(), 1u) << day;
    auto logged = feed_->Log(ada_, page->suggestions[0].id, {});
    ASSERT_TRUE(logged) << day << ": " << logged.error().message;
    EXPECT_EQ(logged->issue_key, "OLD-" + std::to_string(age));
    EXPECT_EQ(logged->start_date, day);
  }
  const std::string too_old_day =
      date::format("%F", std::chrono::floor<date::days>(day_back(kFeedLookbackDays + 2)));
  auto page = feed_->Get(ada_, {.from = too_old_day, .to = too_old_day});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->suggestions.size(), 1u);
  auto refused = feed_->Log(ada_, page->suggestions[0].id, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
}

TEST_F(ActivityFeedTest, UnassignedSuggestionNeedsAnIssueKey) {
  const auto unassigned = Feed(ada_).at(1);
  auto refused = feed_->Log(ada_, unassigned.id, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "issue_key");
  LogSuggestionInput input;
  input.issue_key = "PROJ-8";
  input.duration_seconds = 900;
  auto logged = feed_->Log(ada_, unassigned.id, input);
  ASSERT_TRUE(logged) << logged.error().message;
  EXPECT_EQ(logged->issue_key, "PROJ-8");
  EXPECT_EQ(logged->duration_seconds, 900);
}

TEST_F(ActivityFeedTest, DismissedSuggestionNeverReturns) {
  const auto suggestion = Feed(ada_).at(0);
  ASSERT_TRUE(feed_->Dismiss(ada_, suggestion.id));
  ASSERT_TRUE(feed_->Dismiss(ada_, suggestion.id));  // again: no-op
  const auto left = Feed(ada_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_NE(left[0].id, suggestion.id);
  auto logged = feed_->Log(ada_, suggestion.id, {});
  ASSERT_FALSE(logged);
  EXPECT_EQ(logged.error().code, ErrorCode::kNotFound);
}

TEST_F(ActivityFeedTest, AnotherUsersOrAnUnknownSuggestionIsNotFound) {
  const auto adas = Feed(ada_).at(0);
  auto logged = feed_->Log(bob_, adas.id, {});
  ASSERT_FALSE(logged);
  EXPECT_EQ(logged.error().code, ErrorCode::kNotFound);
  auto dismissed = feed_->Dismiss(bob_, adas.id);
  ASSERT_FALSE(dismissed);
  EXPECT_EQ(dismissed.error().code, ErrorCode::kNotFound);
  auto unknown = feed_->Dismiss(ada_, "sg_00000000000000000000000000000000");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  // Ada's suggestion is untouched by bob's attempts.
  EXPECT_EQ(Feed(ada_).size(), 2u);
}

// The rendered feed (what GET /api/v1/me/activity-feed sends) comes from the cache until
// something the feed depends on changes, written through this store or another one (a
// second node on the same database).
class RenderedFeedTest : public ActivityFeedTest {
 protected:
  void SetUp() override {
    ActivityFeedTest::SetUp();
    feed_->SetCacheBytes(std::size_t{1} << 20);
  }

  // The rendered body: the suggestions' issue keys ("-" for none), one per line.
  std::string Rendered(const Principal& who, const std::string& to = "2026-11-24") {
    auto body = feed_->GetRendered(who, {.from = "2026-11-24", .to = to},
                                   [this](const ActivityFeedPage& page) {
                                     ++renders_;
                                     std::string text;
                                     for (const auto& suggestion : page.suggestions) {
                                       text += suggestion.issue_key.value_or("-") + "\n";
                                     }
                                     return text;
                                   });
    EXPECT_TRUE(body) << body.error().message;
    return body ? **body : "";
  }

  int renders_ = 0;
};

TEST_F(RenderedFeedTest, RenderedOnceUntilSomethingInItChanges) {
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\n");
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\n");
  EXPECT_EQ(renders_, 1);

  // Bob's work is not in Ada's feed: still served as it was.
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("c5", Utc(11, 0), 102, "bob@example.com", {"PROJ-9"}, "PROJ-9 more")}));
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\n");
  EXPECT_EQ(renders_, 1);

  // Her own new commit shows at the next read.
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("c6", Utc(15, 0), 101, "ada@example.com", {"PROJ-8"}, "PROJ-8 cache")}));
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\nPROJ-8\n");
  EXPECT_EQ(renders_, 2);

  // So does a dismissal.
  ASSERT_TRUE(feed_->Dismiss(ada_, Feed(ada_).front().id));
  EXPECT_EQ(Rendered(ada_), "-\nPROJ-8\n");
  EXPECT_EQ(renders_, 3);
}

TEST_F(RenderedFeedTest, ConcurrentFirstReadsRenderAFewAtATime) {
  // 16 requests for Ada's day at once, nothing cached: at most kConcurrentRenders render
  // together (serve's memory peak is that many months' trees), and the ones that waited
  // take the body rendered meanwhile instead of rendering it again.
  std::atomic<int> rendering{0};
  std::atomic<int> most{0};
  std::atomic<int> renders{0};
  const auto render = [&](const ActivityFeedPage& page) {
    const int now = ++rendering;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    ++renders;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    --rendering;
    return std::to_string(page.suggestions.size());
  };
  std::vector<std::string> bodies(16);
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      threads.emplace_back([&, i] {
        auto body = feed_->GetRendered(ada_, {.from = "2026-11-24", .to = "2026-11-24"}, render);
        bodies[i] = body ? **body : body.error().message;
      });
    }
  }
  for (const auto& body : bodies) {
    EXPECT_EQ(body, "2");
  }
  EXPECT_LE(most.load(), ActivityFeed::kConcurrentRenders);
  EXPECT_LE(renders.load(), ActivityFeed::kConcurrentRenders);
}

TEST_F(RenderedFeedTest, AWriteByAnotherNodeShowsAtTheNextRead) {
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\n");
  auto other = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE((*other)->Activities().InsertBatch(
      {Commit("c7", Utc(16, 0), 101, "ada@example.com", {"PROJ-8"}, "PROJ-8 elsewhere")}));
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\nPROJ-8\n");
  store::HandledSuggestion dismissed;
  dismissed.user_id = ada_.user.id;
  dismissed.suggestion_id = Feed(ada_).front().id;
  dismissed.action = "dismissed";
  dismissed.handled_at = clock_.Now();
  ASSERT_TRUE((*other)->Suggestions().MarkHandled(dismissed));
  EXPECT_EQ(Rendered(ada_), "-\nPROJ-8\n");
}

TEST_F(RenderedFeedTest, EachRangeAndTimeZoneIsItsOwnFeed) {
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\n");
  EXPECT_EQ(Rendered(ada_, "2026-11-25"), "PROJ-7\n-\n");
  EXPECT_EQ(renders_, 2);
  // In Honolulu (UTC-10) the PROJ-7 commits fall on the 23rd: not in this range.
  Principal moved = ada_;
  moved.user.timezone = "Pacific/Honolulu";
  EXPECT_EQ(Rendered(moved), "-\n");
  EXPECT_EQ(Rendered(ada_), "PROJ-7\n-\n");
  EXPECT_EQ(renders_, 3);
}

TEST_F(RenderedFeedTest, ABodyReadAgainIsImprovedInTheBackgroundUntilTheFeedChanges) {
  // The improvement stands for harder compression: a smaller body of the same response.
  int improvements = 0;
  const auto read = [&] {
    auto body = feed_->GetRendered(
        ada_, {.from = "2026-11-24", .to = "2026-11-24"},
        [this](const ActivityFeedPage& page) {
          ++renders_;
          return "rendered " + std::to_string(page.suggestions.size()) + " suggestions";
        },
        [&](const std::string& rendered) {
          ++improvements;
          return "small:" + rendered.substr(rendered.find(' ') + 1, 1);
        });
    EXPECT_TRUE(body) << body.error().message;
    return body ? **body : "";
  };
  EXPECT_EQ(read(), "rendered 2 suggestions");  // a render is sent as it is
  feed_->WaitForImprovements();
  EXPECT_EQ(improvements, 0);
  EXPECT_EQ(read(), "rendered 2 suggestions");  // read again: worth improving
  feed_->WaitForImprovements();
  EXPECT_EQ(improvements, 1);
  EXPECT_EQ(read(), "small:2");
  EXPECT_EQ(read(), "small:2");
  feed_->WaitForImprovements();
  EXPECT_EQ(improvements, 1);
  EXPECT_EQ(renders_, 1);

  // A change: rendered again, and improved again once re-read.
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("c6", Utc(15, 0), 101, "ada@example.com", {"PROJ-8"}, "PROJ-8 cache")}));
  EXPECT_EQ(read(), "rendered 3 suggestions");
  EXPECT_EQ(read(), "rendered 3 suggestions");
  feed_->WaitForImprovements();
  EXPECT_EQ(read(), "small:3");
  EXPECT_EQ(improvements, 2);
  EXPECT_EQ(renders_, 2);
}

TEST_F(RenderedFeedTest, AnImprovementThatIsNotSmallerIsNotTaken) {
  const auto read = [&] {
    auto body = feed_->GetRendered(
        ada_, {.from = "2026-11-24", .to = "2026-11-24"},
        [](const ActivityFeedPage&) { return std::string("rendered"); },
        [](const std::string& rendered) { return rendered + " and more"; });
    return body ? **body : body.error().message;
  };
  EXPECT_EQ(read(), "rendered");
  EXPECT_EQ(read(), "rendered");
  feed_->WaitForImprovements();
  EXPECT_EQ(read(), "rendered");
}

TEST_F(RenderedFeedTest, ErrorsAreNotKeptAndCapacityZeroRendersEveryTime) {
  auto bad = feed_->GetRendered(ada_, {.from = "2026-11-24", .to = "2026-11-23"},
                                [](const ActivityFeedPage&) { return std::string("x"); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "to");
  EXPECT_EQ(feed_->cache().entries(), 0U);

  feed_->SetCacheBytes(0);
  Rendered(ada_);
  Rendered(ada_);
  EXPECT_EQ(renders_, 2);
}

}  // namespace
}  // namespace worklog::app

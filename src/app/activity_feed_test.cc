// The Activity Feed use cases over a real (SQLite) store: attributed activities become
// suggestions, logging one creates one worklog however often it is posted, handled
// suggestions never come back, and nobody reaches another user's suggestion.
#include "app/activity_feed.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
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
  older.reserve(ages.size() + 1);
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
    auto body = feed_->GetRendered(who, {.from = "2026-11-24", .to = to}, Renderer());
    EXPECT_TRUE(body) << body.error().message;
    return body ? **body : "";
  }

  // Parts: the issue key ("-" for none) and a line break; a day and a page: their parts.
  ActivityFeed::Renderer Renderer() {
    return {
        .suggestion =
            [this](const feed::Suggestion& suggestion) {
              ++parts_;
              return suggestion.issue_key.value_or("-") + "\n";
            },
        .day = Concatenated,
        .page =
            [this](std::string_view, std::string_view, const std::vector<std::string_view>& days) {
              ++renders_;
              return Concatenated(days);
            }};
  }

  static std::string Concatenated(const std::vector<std::string_view>& parts) {
    std::string text;
    for (const auto part : parts) {
      text += part;
    }
    return text;
  }

  // A page renderer only, of the number of suggestions on the page.
  static ActivityFeed::Renderer PageRenderer(const std::function<std::string(std::size_t)>& page) {
    return {
        .suggestion = [](const feed::Suggestion&) { return std::string("x"); },
        .day = Concatenated,
        .page =
            [page](std::string_view, std::string_view, const std::vector<std::string_view>& days) {
              return page(Concatenated(days).size());
            }};
  }

  int renders_ = 0;
  int parts_ = 0;
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
  const auto render = PageRenderer([&](std::size_t suggestions) {
    const int now = ++rendering;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    ++renders;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    --rendering;
    return std::to_string(suggestions);
  });
  std::vector<std::string> bodies(16);
  {
    std::vector<std::jthread> threads;
    threads.reserve(bodies.size());
    for (std::string& out : bodies) {
      threads.emplace_back([&, target = &out] {
        auto body = feed_->GetRendered(ada_, {.from = "2026-11-24", .to = "2026-11-24"}, render);
        *target = body ? **body : body.error().message;
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
    auto body =
        feed_->GetRendered(ada_, {.from = "2026-11-24", .to = "2026-11-24"},
                           PageRenderer([this](std::size_t suggestions) {
                             ++renders_;
                             return "rendered " + std::to_string(suggestions) + " suggestions";
                           }),
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
    auto body =
        feed_->GetRendered(ada_, {.from = "2026-11-24", .to = "2026-11-24"},
                           PageRenderer([](std::size_t) { return std::string("rendered"); }),
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
                                PageRenderer([](std::size_t) { return std::string("x"); }));
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

namespace worklog::app {
namespace {

// After a change only the local days whose marks moved are computed and rendered again
// (parts_ counts suggestions rendered); a page none of whose days changed is not rendered.
class DayByDayFeedTest : public RenderedFeedTest {
 protected:
  void SetUp() override {
    RenderedFeedTest::SetUp();
    // Something on the 20th and 22nd too (Oslo: UTC+1).
    ASSERT_TRUE(store_->Activities().InsertBatch({
        Commit("d1", Utc(9, 0, 20), 101, "ada@example.com", {"PROJ-1"}, "PROJ-1 on the 20th"),
        Commit("d2", Utc(9, 0, 22), 101, "ada@example.com", {"PROJ-2"}, "PROJ-2 on the 22nd"),
        Commit("d3", Utc(12, 0, 22), 101, "ada@example.com", {"PROJ-3"}, "PROJ-3 on the 22nd"),
    }));
  }

  std::string Week(const Principal& who) {
    auto body = feed_->GetRendered(who, {.from = "2026-11-20", .to = "2026-11-26"}, Renderer());
    EXPECT_TRUE(body) << body.error().message;
    return body ? **body : "";
  }

  // The same page computed from scratch (no cache).
  std::string FromScratch(const Principal& who) {
    auto page = feed_->Get(who, {.from = "2026-11-20", .to = "2026-11-26"});
    EXPECT_TRUE(page) << page.error().message;
    std::string text;
    for (const auto& suggestion : page.value_or(ActivityFeedPage{}).suggestions) {
      text += suggestion.issue_key.value_or("-") + "\n";
    }
    return text;
  }
};

TEST_F(DayByDayFeedTest, ANewActivityRendersItsDayOnly) {
  EXPECT_EQ(Week(ada_), "PROJ-1\nPROJ-2\nPROJ-3\nPROJ-7\n-\n");
  EXPECT_EQ(parts_, 5);
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("d4", Utc(15, 0, 22), 101, "ada@example.com", {"PROJ-4"}, "PROJ-4 late")}));
  EXPECT_EQ(Week(ada_), "PROJ-1\nPROJ-2\nPROJ-3\nPROJ-4\nPROJ-7\n-\n");
  EXPECT_EQ(Week(ada_), FromScratch(ada_));
  // The 22nd's three suggestions, nothing of the 20th or 24th.
  EXPECT_EQ(parts_, 5 + 3);
  EXPECT_EQ(renders_, 2);
}

TEST_F(DayByDayFeedTest, AWriteOutsideTheRangeRendersNothing) {
  const std::string week = Week(ada_);
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("d5", Utc(9, 0, 10), 101, "ada@example.com", {"PROJ-5"}, "PROJ-5 earlier")}));
  EXPECT_EQ(Week(ada_), week);
  EXPECT_EQ(renders_, 1);
  EXPECT_EQ(parts_, 5);
}

TEST_F(DayByDayFeedTest, ADismissalRendersItsDayOnly) {
  Week(ada_);
  ASSERT_TRUE(feed_->Dismiss(ada_, Feed(ada_).front().id));  // PROJ-7 of the 24th
  EXPECT_EQ(Week(ada_), "PROJ-1\nPROJ-2\nPROJ-3\n-\n");
  EXPECT_EQ(renders_, 2);
  EXPECT_EQ(parts_, 5 + 1);  // the 24th's other suggestion
}

TEST_F(DayByDayFeedTest, ASmartCommitWorklogRendersTheDaysAroundItsDate) {
  Week(ada_);
  domain::Worklog worklog;
  worklog.user_id = ada_.user.id;
  worklog.issue_key = "PROJ-2";
  worklog.start_date = "2026-11-26";
  worklog.start_time = "09:00:00";
  worklog.start_at = Utc(8, 0, 26);
  worklog.duration_seconds = 600;
  worklog.description = "PROJ-2 #time 10m";
  worklog.origin = domain::WorklogOrigin::kSmartCommit;
  ASSERT_TRUE(store_->Worklogs().Create(worklog));
  Week(ada_);
  // The 24th..26th (the 20th and 22nd are more than two days away).
  EXPECT_EQ(parts_, 5 + 2);
  EXPECT_EQ(Week(ada_), FromScratch(ada_));
}

TEST_F(DayByDayFeedTest, IdentityAndTimeZoneChangesTakeEffectAtOnce) {
  Week(ada_);
  Principal moved = ada_;
  moved.user.timezone = "Pacific/Honolulu";  // UTC-10: PROJ-7 falls on the 23rd, c3 on the 24th
  EXPECT_EQ(Week(moved), FromScratch(moved));
  // Ada's identity loses her e-mail: her commits pushed by herself stay hers, but are now
  // claimed by nobody; linking another user's identity claims nothing of hers either way.
  ASSERT_TRUE(store_->GitlabOrg().UnlinkIdentity(ada_.user.id));
  EXPECT_EQ(Week(ada_), "");
  EXPECT_EQ(Week(ada_), FromScratch(ada_));
}

// Differential: random writes on random days, through two nodes (stores) on one database,
// each with its own ActivityFeed and caches; after each write, both nodes' pages equal the
// page computed from scratch, in two time zones.
TEST_F(ActivityFeedTest, TheDayByDayPageAlwaysEqualsTheOneComputedFromScratch) {
  feed_->SetCacheBytes(std::size_t{1} << 20);
  auto other_store = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
  ASSERT_TRUE(other_store) << other_store.error().message;
  Worklogs other_worklogs(**other_store, clock_);
  ActivityFeed other(**other_store, clock_, other_worklogs);
  other.SetCacheBytes(std::size_t{1} << 20);
  const ActivityFeed::Renderer render{
      .suggestion =
          [](const feed::Suggestion& suggestion) {
            std::string text = fmt::format(
                "{} {} {} {} {} [{}] [{}]", suggestion.id, suggestion.date, suggestion.start_time,
                suggestion.duration.count(), suggestion.issue_key.value_or("-"),
                suggestion.description, suggestion.why);
            for (const auto& activity : suggestion.activities) {
              text += " " + activity.key;
            }
            return text + "\n";
          },
      .day =
          [](const std::vector<std::string_view>& parts) {
            std::string text = "day:\n";
            for (const auto part : parts) {
              text += part;
            }
            return text;
          },
      .page =
          [](std::string_view from, std::string_view to,
             const std::vector<std::string_view>& days) {
            std::string text = fmt::format("{}..{}\n", from, to);
            for (const auto day : days) {
              text += day;
            }
            return text;
          }};
  const ActivityFeedInput range{.from = "2026-11-17", .to = "2026-11-28"};
  const auto from_scratch = [&](const Principal& who) {
    auto page = feed_->Get(who, range);
    EXPECT_TRUE(page) << page.error().message;
    return ActivityFeed::RenderPage(*page, render);
  };
  Principal tokyo = ada_;
  tokyo.user.timezone = "Asia/Tokyo";
  std::mt19937 random(1124);
  std::vector<domain::Activity> commits;  // Ada's, for smart-commit worklogs
  int changes = 0;
  for (int round = 0; round < 60; ++round) {
    store::Store& writer = round % 2 == 0 ? *store_ : **other_store;
    const auto day = static_cast<unsigned>(16 + random() % 14);  // Nov 16..29
    const TimePoint at = Utc(static_cast<int>(random() % 24), static_cast<int>(random() % 60), day);
    const std::string key = "r" + std::to_string(round);
    const std::vector<std::string> keys = {"PROJ-" + std::to_string(1 + random() % 4)};
    switch (random() % 6) {
      case 0:
      case 1: {  // Ada's commit, sometimes with a smart-commit time (before she connected)
        auto commit = Commit(key, at, 101, "ada@example.com",
                             random() % 3 == 0 ? std::vector<std::string>{} : keys, key + " work");
        if (random() % 2 == 0) {
          commit.occurred_at = Utc(static_cast<int>(random() % 12), 0, 16 + random() % 8);
          commit.time_spent_seconds = 1800;
        }
        commits.push_back(commit);
        ASSERT_TRUE(writer.Activities().InsertBatch({commit}));
        break;
      }
      case 2:  // Bob's work, or a review of Ada's
        ASSERT_TRUE(writer.Activities().InsertBatch(
            {Commit(key, at, random() % 2 == 0 ? 102 : 101, "bob@example.com", keys, key)}));
        break;
      case 3: {  // a smart-commit worklog for one of Ada's commits, dated a day off or not
        if (commits.empty()) {
          break;
        }
        const auto& commit = commits[random() % commits.size()];
        domain::Worklog worklog;
        worklog.user_id = ada_.user.id;
        worklog.issue_key = "PROJ-9";
        const auto local = date::floor<date::days>(commit.occurred_at + std::chrono::hours(1)) +
                           date::days(static_cast<int>(random() % 3) - 1);
        worklog.start_date = date::format("%F", local);
        worklog.start_time = "00:00:00";
        worklog.start_at = local;
        worklog.duration_seconds = 1800;
        worklog.description = commit.title;
        worklog.origin = domain::WorklogOrigin::kSmartCommit;
        worklog.dedupe_key = "r" + std::to_string(round);
        worklog.activity_keys = {commit.key};
        writer.Worklogs().Create(worklog);  // may conflict: the commit is logged already
        break;
      }
      case 4: {  // dismiss or log one of Ada's suggestions
        auto page = feed_->Get(ada_, range);
        ASSERT_TRUE(page);
        if (page->suggestions.empty()) {
          break;
        }
        const auto& suggestion = page->suggestions[random() % page->suggestions.size()];
        if (random() % 2 == 0 || !suggestion.issue_key) {
          ASSERT_TRUE((round % 2 == 0 ? *feed_ : other).Dismiss(ada_, suggestion.id));
        } else {
          ASSERT_TRUE((round % 2 == 0 ? *feed_ : other).Log(ada_, suggestion.id, {}));
        }
        break;
      }
      default: {  // the estimate's settings
        auto settings = writer.GitlabOrg().GetFeedSettings();
        ASSERT_TRUE(settings);
        settings->max_gap_minutes = 60 + static_cast<int64_t>(random() % 120);
        ASSERT_TRUE(writer.GitlabOrg().UpdateFeedSettings(*settings));
        break;
      }
    }
    for (const Principal& who : {ada_, tokyo}) {
      const std::string expected = from_scratch(who);
      for (ActivityFeed* node : {feed_.get(), &other}) {
        auto body = node->GetRendered(who, range, render);
        ASSERT_TRUE(body) << body.error().message;
        ASSERT_EQ(**body, expected) << "round " << round << " in " << who.user.timezone;
      }
    }
    ++changes;
  }
  EXPECT_EQ(changes, 60);
}

}  // namespace
}  // namespace worklog::app

namespace worklog::app {
namespace {

// Logging right after reading the feed finds the suggestion through the day the feed kept,
// but logs it as it is now.
TEST_F(DayByDayFeedTest, LoggingAfterAReadLogsTheSuggestionAsItIsNow) {
  clock_.Set(Utc(18, 0, 26));
  Week(ada_);
  const auto before = Feed(ada_).front();  // PROJ-7 of the 24th, 2 h
  ASSERT_EQ(before.issue_key, std::optional<std::string>("PROJ-7"));
  ASSERT_EQ(before.duration, std::chrono::hours(2));
  // One more PROJ-7 commit at 11:40 local: the session runs to it.
  ASSERT_TRUE(store_->Activities().InsertBatch(
      {Commit("c8", Utc(10, 40), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 polish")}));
  auto logged = feed_->Log(ada_, before.id, {});
  ASSERT_TRUE(logged) << logged.error().message;
  EXPECT_EQ(logged->duration_seconds, 3 * 3600);
  EXPECT_EQ(logged->start_date, "2026-11-24");
  EXPECT_EQ(Week(ada_), "PROJ-1\nPROJ-2\nPROJ-3\n-\n");
  // A suggestion of another user is not found through Ada's kept days.
  auto bobs = feed_->Log(bob_, Feed(ada_).front().id, {});
  ASSERT_FALSE(bobs);
  EXPECT_EQ(bobs.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace worklog::app

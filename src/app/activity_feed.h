#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <date/date.h>

#include "app/feed_cache.h"
#include "app/principal.h"
#include "app/worklogs.h"
#include "common/clock.h"
#include "common/result.h"
#include "domain/worklog.h"
#include "feed/suggest.h"
#include "store/store.h"

namespace worklog::app {

inline constexpr int kMaxFeedDays = 62;
// How far back a suggestion id is looked up when it is logged or dismissed (local days
// before today).
inline constexpr int kFeedLookbackDays = 93;
// Logging looks for a suggestion among the last kFeedRecentDays days first.
inline constexpr int kFeedRecentDays = 8;

struct ActivityFeedInput {
  std::string from;  // YYYY-MM-DD, inclusive, in the caller's time zone
  std::string to;    // YYYY-MM-DD, inclusive; at most kMaxFeedDays days in all
};

struct ActivityFeedPage {
  std::string from;
  std::string to;
  std::vector<feed::Suggestion> suggestions;  // by date, then start_time; unhandled only
};

// Overrides when logging a suggestion (absent: the suggestion's own value).
struct LogSuggestionInput {
  std::optional<std::string> issue_key;  // required for an unassigned suggestion
  std::optional<std::string> start;      // local time of day on the suggestion's date, HH:MM[:SS]
  std::optional<int64_t> duration_seconds;
  std::optional<std::string> description;
};

// The caller's Activity Feed (DESIGN.md §3.5): suggestions computed on read from the
// activities attributed to their GitLab identity; logging or dismissing one is remembered
// (store::SuggestionRepository) and it never comes back. Nobody reads another user's feed:
// a suggestion id that is not the caller's is kNotFound.
class ActivityFeed {
 public:
  // `smart_commits`: the organization's smart-commit rule is on (app/automation.h), so a
  // commit carrying a smart-commit time is left out of suggestions even before its
  // worklog exists (see Compute).
  ActivityFeed(store::Store& store, const Clock& clock, Worklogs& worklogs,
               bool smart_commits = true);

  // Errors name "from", "to" (also a range over kMaxFeedDays) or "timezone". A caller with
  // no GitLab identity has an empty feed.
  Result<ActivityFeedPage> Get(const Principal& caller, const ActivityFeedInput& input);

  // Get's page as `render` makes it (the HTTP body; one renderer per ActivityFeed), kept
  // in a FeedCache under the caller's store::ActivityRepository::FeedStamp and served from
  // there while that stamp is unchanged: the feed is recomputed only after something it
  // depends on changed, on this node or another. At most kConcurrentRenders requests
  // compute and render at once (two cores gain nothing from more); the others wait, then
  // take what was rendered meanwhile when it is theirs. Errors as Get (and the store's).
  //
  // After a change only the local days whose day marks moved (store::FeedDayMarks) are
  // computed again: each (user, time zone, local day)'s rendered part (`render.day` of its
  // unhandled suggestions' parts) is kept in a second cache under the day's marks and its
  // handled suggestions, and the page is `render.page` of its days' parts. A page whose
  // days and handled suggestions are all as they were (a write to another day) is served
  // again as it was, without a render.
  //
  // `improve`, when given, makes a smaller body of the same response from a rendered one
  // (e.g. compressed harder; empty: none): a render is made to answer fast, and a body is
  // improved once it is read again from the cache (one worth keeping), by one background
  // thread at a lower CPU priority, and swapped in while its stamp holds.
  struct Renderer {
    // One suggestion's part of a day.
    std::function<std::string(const feed::Suggestion&)> suggestion;
    // One local day's part of the body from its unhandled suggestions' parts, in order
    // (none: a day without suggestions).
    std::function<std::string(const std::vector<std::string_view>& parts)> day;
    // The body of the page from..to from every one of its days' parts, in order.
    std::function<std::string(std::string_view from, std::string_view to,
                              const std::vector<std::string_view>& days)>
        page;
  };
  using Improver = std::function<std::string(const std::string&)>;
  // `page` as GetRendered renders it.
  static std::string RenderPage(const ActivityFeedPage& page, const Renderer& render);
  static constexpr std::ptrdiff_t kConcurrentRenders = 4;
  Result<std::shared_ptr<const std::string>> GetRendered(const Principal& caller,
                                                         const ActivityFeedInput& input,
                                                         const Renderer& render,
                                                         const Improver& improve = nullptr);
  // The cache's capacity (0, the default: no cache), and as much again for the days'
  // parts. Call before serving: not thread-safe.
  void SetCacheBytes(std::size_t bytes);
  const FeedCache& cache() const { return *cache_; }
  const FeedCache& day_cache() const { return *day_cache_; }
  // Waits until every improvement asked for so far is done (tests).
  void WaitForImprovements();
  // Creates the worklog (origin activity_feed, the suggestion's activity keys, dedupe key
  // "suggestion:<id>") and records the suggestion as logged. Logging it again returns the
  // same worklog. kNotFound for an unknown, dismissed or someone else's suggestion.
  Result<domain::Worklog> Log(const Principal& caller, std::string_view suggestion_id,
                              const LogSuggestionInput& input);
  // Records the suggestion as dismissed (again: no-op). kNotFound as for Log.
  Status Dismiss(const Principal& caller, std::string_view suggestion_id);

  // For automation (app/automation.h): `user`'s suggestions of local days from..to that
  // are neither logged nor dismissed, and logging one as `origin` (same dedupe key and
  // handled marker as Log, so a suggestion becomes one worklog whoever logs it first).
  Result<std::vector<feed::Suggestion>> Unhandled(const domain::User& user, std::string_view from,
                                                  std::string_view to);
  Result<domain::Worklog> LogAs(const domain::User& user, const feed::Suggestion& suggestion,
                                const LogSuggestionInput& input, domain::WorklogOrigin origin);

 private:
  // Every suggestion (handled or not) of `user` for local days from..to. Each local day's
  // suggestions depend on that day's activities only, the smart-commit worklogs dated within
  // kWorklogDaysAround days of it, the feed settings and the identities (GetRendered keeps
  // them per day on this). Commits whose smart-commit time `user` already has as a worklog
  // (origin smart_commit, matched by its dedupe key, dated within kWorklogDaysAround days
  // of the commit's local day: a smart commit's worklog is dated on the commit's local day
  // in the time zone of that moment) are left out of every suggestion: their time is logged. So
  // are, while the smart-commit rule is on, commits the rule is about to log (an issue key, a time
  // of at most a day, made after `user` connected GitLab): that worklog is created asynchronously,
  // and logging the commit from the feed meanwhile would count it twice.
  Result<std::vector<feed::Suggestion>> Compute(const domain::User& user, std::string_view from,
                                                std::string_view to);
  // The input's from and to, checked (errors as Get).
  static Result<std::pair<std::string, std::string>> CheckRange(const ActivityFeedInput& input);
  static constexpr int kWorklogDaysAround = 2;  // UTC-12 to UTC+14: two dates at most
  // GetRendered after a cache miss: the page from the days kept and the days computed again.
  Result<std::shared_ptr<const std::string>> RenderByDays(const domain::User& user,
                                                          const ActivityFeedInput& input,
                                                          const Renderer& render,
                                                          const std::string& key,
                                                          const std::string& stamp);
  // The local day from..to whose kept part (GetRendered's day cache, any version) lists
  // suggestion `id` of `user`: a hint only (the day is computed again to find it).
  std::optional<std::string> KeptDayOf(const domain::User& user, std::string_view id,
                                       date::sys_days from, date::sys_days to) const;
  // The caller's suggestion with this id among the last kFeedLookbackDays days.
  Result<feed::Suggestion> Find(const domain::User& user, std::string_view suggestion_id);

  // Improvements waiting for the improver thread, at most kMaxPendingImprovements (more
  // are not asked for: those bodies stay as rendered).
  struct Improvement {
    std::string key;
    std::string stamp;
    std::shared_ptr<const std::string> body;
    Improver improve;
  };
  static constexpr std::size_t kMaxPendingImprovements = 256;
  void AskImprovement(Improvement improvement);
  void RunImprovements(const std::stop_token& stop);

  store::Store& store_;
  const Clock& clock_;
  Worklogs& worklogs_;
  bool smart_commits_;
  std::unique_ptr<FeedCache> cache_ = std::make_unique<FeedCache>(0);
  std::unique_ptr<FeedCache> day_cache_ = std::make_unique<FeedCache>(0);
  std::counting_semaphore<kConcurrentRenders> renders_{kConcurrentRenders};

  std::mutex improvements_mutex_;
  std::condition_variable_any improvements_changed_;
  std::deque<Improvement> improvements_;  // Guarded by improvements_mutex_.
  bool improving_ = false;                // Guarded by improvements_mutex_.
  std::jthread improver_;                 // last: stops (and joins) first
};

}  // namespace worklog::app

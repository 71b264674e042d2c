#include "app/activity_feed.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>

#include "app/feed_settings.h"
#include "domain/smart_commits.h"
#include "domain/worklog.h"
#include "feed/time_zone.h"

namespace worklog::app {
namespace {

constexpr std::string_view kLogged = "logged";
constexpr std::string_view kDismissed = "dismissed";

date::sys_days ParseDay(std::string_view checked) {
  return date::sys_days{feed::ParseLocalDate(checked).time_since_epoch()};
}

std::string FormatDay(date::sys_days day) { return date::format("%F", day); }

// Keys of the commits among `activities` whose time belongs to the smart-commit rule, not to
// a suggestion: those `user` has a smart-commit worklog of dated within `days_around` days
// of the commit's local day (app/automation.h logs them with SmartCommitDedupeKey, dated on
// the commit's local day in the user's time zone of that moment), and, while the rule is on
// (`pending_since`), those it logs or is about to: made since the user was linked (so they
// arrived while the rule could attribute them), with an issue key and a time Worklogs
// accepts. Older history (backfilled before the link) stays suggested. The worklogs read
// are those dated from..to widened by `days_around`.
Result<std::set<std::string>> SmartCommitsLogged(store::Store& store, const domain::User& user,
                                                 std::string_view from, std::string_view to,
                                                 int days_around,
                                                 const std::vector<domain::Activity>& activities,
                                                 std::optional<TimePoint> pending_since) {
  std::set<std::string> logged;
  const bool any = std::any_of(activities.begin(), activities.end(), [](const auto& activity) {
    return activity.kind == domain::ActivityKind::kCommit &&
           activity.time_spent_seconds.has_value();
  });
  if (!any) {
    return logged;
  }
  auto zone = feed::Zone::Locate(user.timezone);
  if (!zone) {
    return tl::unexpected(zone.error());
  }
  store::WorklogQuery query;
  query.user_id = user.id;
  query.from_date = FormatDay(ParseDay(from) - date::days(days_around));
  query.to_date = FormatDay(ParseDay(to) + date::days(days_around));
  auto worklogs = store.Worklogs().List(query);
  if (!worklogs) {
    return tl::unexpected(worklogs.error());
  }
  // Per date (days since 1970-01-01): the smart-commit worklogs' dedupe and activity keys.
  struct Logged {
    std::set<std::string> dedupe_keys;
    std::set<std::string> activity_keys;
  };
  std::map<int64_t, Logged> by_day;
  for (const auto& worklog : *worklogs) {
    if (worklog.origin == domain::WorklogOrigin::kSmartCommit) {
      Logged& day = by_day[ParseDay(worklog.start_date).time_since_epoch().count()];
      if (worklog.dedupe_key) {
        day.dedupe_keys.insert(*worklog.dedupe_key);
      }
      day.activity_keys.insert(worklog.activity_keys.begin(), worklog.activity_keys.end());
    }
  }
  // The commit the worklog was made from, and its copies on other branches (same author,
  // title and time). The key uses the authored time and occurred_at is the committed time:
  // a copy whose committer date a rebase changed may still be suggested (never logged
  // twice).
  for (const auto& activity : activities) {
    if (activity.kind != domain::ActivityKind::kCommit || !activity.time_spent_seconds) {
      continue;
    }
    const bool pending = pending_since && activity.occurred_at >= *pending_since &&
                         *activity.time_spent_seconds > 0 &&
                         *activity.time_spent_seconds <= domain::kMaxWorklogSeconds &&
                         !activity.issue_keys.empty();
    if (pending) {
      logged.insert(activity.key);
      continue;
    }
    const auto local_day = std::chrono::floor<date::days>(
        zone->ToLocal(std::chrono::floor<std::chrono::seconds>(activity.occurred_at)));
    const int64_t day = local_day.time_since_epoch().count();
    const std::string dedupe_key =
        domain::SmartCommitDedupeKey(activity.author_email, activity.title, activity.occurred_at);
    for (auto at = by_day.lower_bound(day - days_around);
         at != by_day.end() && at->first <= day + days_around; ++at) {
      if (at->second.activity_keys.contains(activity.key) ||
          at->second.dedupe_keys.contains(dedupe_key)) {
        logged.insert(activity.key);
        break;
      }
    }
  }
  return logged;
}

}  // namespace

ActivityFeed::ActivityFeed(store::Store& store, const Clock& clock, Worklogs& worklogs,
                           bool smart_commits)
    : store_(store), clock_(clock), worklogs_(worklogs), smart_commits_(smart_commits) {}

Result<std::vector<feed::Suggestion>> ActivityFeed::Compute(const domain::User& user,
                                                            std::string_view from,
                                                            std::string_view to) {
  auto range = feed::LocalDaysToUtcRange(user.timezone, from, to);
  if (!range) {
    return tl::unexpected(range.error());
  }
  auto identity = store_.GitlabOrg().GetIdentity(user.id);
  if (!identity) {
    return tl::unexpected(identity.error());
  }
  if (!*identity) {
    return std::vector<feed::Suggestion>{};
  }
  store::ActivityQuery query;
  query.gitlab_user_ids = {(*identity)->gitlab_user_id};
  query.emails = (*identity)->emails;
  // The e-mails of the other linked identities are theirs: the query reads them itself
  // (every identity's, the user's own included, which the query answers as `emails`).
  query.claimed_by_identities = true;
  query.from = range->first;
  query.to = range->second;
  auto activities = store_.Activities().ListForUser(query);
  if (!activities) {
    return tl::unexpected(activities.error());
  }
  auto logged =
      SmartCommitsLogged(store_, user, from, to, kWorklogDaysAround, *activities,
                         smart_commits_ ? std::optional((*identity)->connected_at) : std::nullopt);
  if (!logged) {
    return tl::unexpected(logged.error());
  }
  auto settings = store_.GitlabOrg().GetFeedSettings();
  if (!settings) {
    return tl::unexpected(settings.error());
  }
  // The activities are not needed afterwards: they move into the suggestions.
  return feed::Suggest(user.id, user.timezone, std::move(*activities),
                       FeedSettings::EstimateParamsOf(*settings), *logged);
}

Result<std::pair<std::string, std::string>> ActivityFeed::CheckRange(
    const ActivityFeedInput& input) {
  auto from = domain::ValidateDate("from", input.from);
  if (!from) {
    return tl::unexpected(from.error());
  }
  auto to = domain::ValidateDate("to", input.to);
  if (!to) {
    return tl::unexpected(to.error());
  }
  const auto days = (ParseDay(*to) - ParseDay(*from)).count() + 1;
  if (days < 1) {
    return InvalidArgument("to", "must not be before from");
  }
  if (days > kMaxFeedDays) {
    return InvalidArgument("to", fmt::format("the feed covers at most {} days", kMaxFeedDays));
  }
  return std::pair{std::move(*from), std::move(*to)};
}

Result<ActivityFeedPage> ActivityFeed::Get(const Principal& caller,
                                           const ActivityFeedInput& input) {
  auto range = CheckRange(input);
  if (!range) {
    return tl::unexpected(range.error());
  }
  auto suggestions = Unhandled(caller.user, range->first, range->second);
  if (!suggestions) {
    return tl::unexpected(suggestions.error());
  }
  ActivityFeedPage page;
  page.from = std::move(range->first);
  page.to = std::move(range->second);
  page.suggestions = std::move(*suggestions);
  // Suggest orders by date, then start_time (then issue key): the order the API promises.
  return page;
}

Result<feed::Suggestion> ActivityFeed::Find(const domain::User& user,
                                            std::string_view suggestion_id) {
  // The id does not tell its date: look through the recent local days, the last week first
  // (nearly every suggestion logged is from it; each day's suggestions depend on that day's
  // activities only), then the rest. UTC "today" plus a day on either side covers every
  // time zone.
  const auto today = std::chrono::floor<date::days>(clock_.Now());
  // A day whose suggestions GetRendered keeps lists it (the feed was just read): that day
  // alone, computed again.
  if (auto day = KeptDayOf(user, suggestion_id, today - date::days(kFeedLookbackDays),
                           today + date::days(1))) {
    auto suggestions = Compute(user, *day, *day);
    if (!suggestions) {
      return tl::unexpected(suggestions.error());
    }
    for (auto& suggestion : *suggestions) {
      if (suggestion.id == suggestion_id) {
        return std::move(suggestion);
      }
    }
  }
  const auto week_start = today - date::days(kFeedRecentDays);
  const std::array<std::pair<date::sys_days, date::sys_days>, 2> ranges = {
      {{week_start, today + date::days(1)},
       {today - date::days(kFeedLookbackDays), week_start - date::days(1)}}};
  for (const auto& [from, to] : ranges) {
    auto suggestions = Compute(user, FormatDay(from), FormatDay(to));
    if (!suggestions) {
      return tl::unexpected(suggestions.error());
    }
    for (auto& suggestion : *suggestions) {
      if (suggestion.id == suggestion_id) {
        return std::move(suggestion);
      }
    }
  }
  return NotFound("no such suggestion");
}

Result<domain::Worklog> ActivityFeed::Log(const Principal& caller, std::string_view suggestion_id,
                                          const LogSuggestionInput& input) {
  auto handled = store_.Suggestions().GetHandled(caller.user.id, suggestion_id);
  if (!handled) {
    return tl::unexpected(handled.error());
  }
  if (*handled) {
    // Logged before (a retry or double click): the same worklog. Dismissed: gone.
    if ((*handled)->action == kLogged && (*handled)->worklog_id) {
      auto existing = store_.Worklogs().Get(*(*handled)->worklog_id);
      if (existing && existing->user_id == caller.user.id) {
        return existing;
      }
    }
    return NotFound("no such suggestion");
  }
  auto suggestion = Find(caller.user, suggestion_id);
  if (!suggestion) {
    return tl::unexpected(suggestion.error());
  }
  return LogAs(caller.user, *suggestion, input, domain::WorklogOrigin::kActivityFeed);
}

Result<std::vector<feed::Suggestion>> ActivityFeed::Unhandled(const domain::User& user,
                                                              std::string_view from,
                                                              std::string_view to) {
  auto suggestions = Compute(user, from, to);
  if (!suggestions) {
    return tl::unexpected(suggestions.error());
  }
  std::vector<std::string> ids;
  ids.reserve(suggestions->size());
  for (const auto& suggestion : *suggestions) {
    ids.push_back(suggestion.id);
  }
  auto handled = store_.Suggestions().FilterHandled(user.id, ids);
  if (!handled) {
    return tl::unexpected(handled.error());
  }
  const std::set<std::string> handled_ids(handled->begin(), handled->end());
  std::vector<feed::Suggestion> unhandled;
  for (auto& suggestion : *suggestions) {
    if (!handled_ids.contains(suggestion.id)) {
      unhandled.push_back(std::move(suggestion));
    }
  }
  return unhandled;
}

Result<domain::Worklog> ActivityFeed::LogAs(const domain::User& user,
                                            const feed::Suggestion& suggestion,
                                            const LogSuggestionInput& input,
                                            domain::WorklogOrigin origin) {
  WorklogFields fields;
  fields.issue_key = input.issue_key ? input.issue_key : suggestion.issue_key;
  fields.start_date = suggestion.date;
  fields.start_time = input.start ? *input.start : suggestion.start_time;
  fields.duration_seconds =
      input.duration_seconds ? *input.duration_seconds : suggestion.duration.count();
  fields.description = input.description ? *input.description : suggestion.description;
  fields.origin = std::string(domain::OriginName(origin));
  if (!fields.issue_key) {
    return InvalidArgument("issue_key", "is required: this suggestion has no issue key");
  }
  std::vector<std::string> keys;
  keys.reserve(suggestion.activities.size());
  for (const auto& activity : suggestion.activities) {
    keys.push_back(activity.key);
  }
  auto worklog = worklogs_.Log(user, fields, std::move(keys), "suggestion:" + suggestion.id);
  if (!worklog) {
    if (worklog.error().code == ErrorCode::kConflict && worklog.error().field == "activity_keys") {
      // A smart commit's worklog (or another log) took some of this suggestion's activity
      // after the feed was read: its time is counted already.
      return Conflict(fmt::format(
          "part of this suggestion is logged already ({}); reload the Activity Feed to see "
          "what is left",
          worklog.error().message));
    }
    // Validation errors name the API's fields, except the start time.
    if (worklog.error().field == "start_time") {
      Error error = worklog.error();
      error.field = "start";
      return tl::unexpected(std::move(error));
    }
    return tl::unexpected(worklog.error());
  }
  store::HandledSuggestion record;
  record.user_id = user.id;
  record.suggestion_id = suggestion.id;
  record.action = std::string(kLogged);
  record.worklog_id = worklog->id;
  record.handled_at = clock_.Now();
  if (auto marked = store_.Suggestions().MarkHandled(record); !marked) {
    return tl::unexpected(marked.error());
  }
  return worklog;
}

Status ActivityFeed::Dismiss(const Principal& caller, std::string_view suggestion_id) {
  auto handled = store_.Suggestions().GetHandled(caller.user.id, suggestion_id);
  if (!handled) {
    return tl::unexpected(handled.error());
  }
  if (*handled) {
    return {};
  }
  auto suggestion = Find(caller.user, suggestion_id);
  if (!suggestion) {
    return tl::unexpected(suggestion.error());
  }
  store::HandledSuggestion record;
  record.user_id = caller.user.id;
  record.suggestion_id = std::string(suggestion_id);
  record.action = std::string(kDismissed);
  record.handled_at = clock_.Now();
  if (auto marked = store_.Suggestions().MarkHandled(record); !marked) {
    return tl::unexpected(marked.error());
  }
  return {};
}

}  // namespace worklog::app

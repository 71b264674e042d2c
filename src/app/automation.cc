#include "app/automation.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "domain/smart_commits.h"
#include "feed/time_zone.h"

namespace worklog::app {
namespace {

// Errors that come from the commit itself (no valid worklog can be made of it): skipped.
// Others (the database) are worth a retry of the whole delivery.
bool FromTheCommit(const Error& error) {
  return error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kNotFound;
}

}  // namespace

Automation::Automation(store::Store& store, const Clock& clock, Worklogs& worklogs,
                       ActivityFeed& feed, AutomationOptions options)
    : store_(store), clock_(clock), worklogs_(worklogs), feed_(feed), options_(options) {}

Status Automation::LogSmartCommits(const std::vector<domain::Activity>& commits) {
  if (!options_.smart_commits || commits.empty()) {
    return {};
  }
  auto identities = store_.GitlabOrg().ListIdentities();
  if (!identities) {
    return tl::unexpected(identities.error());
  }
  for (const domain::Activity& commit : commits) {
    if (commit.kind != domain::ActivityKind::kCommit || !commit.time_spent_seconds ||
        *commit.time_spent_seconds <= 0) {
      continue;
    }
    // Attribution (DESIGN.md §3.2), as the feed does it: the identity with the author's
    // e-mail, else the pusher's when no identity claims the e-mail.
    std::optional<int64_t> user_id;
    for (const auto& identity : *identities) {
      if (std::find(identity.emails.begin(), identity.emails.end(), commit.author_email) !=
          identity.emails.end()) {
        user_id = identity.user_id;
        break;
      }
    }
    if (!user_id && commit.gitlab_user_id) {
      for (const auto& identity : *identities) {
        if (identity.gitlab_user_id == *commit.gitlab_user_id) {
          user_id = identity.user_id;
          break;
        }
      }
    }
    if (!user_id) {
      continue;  // nobody here: kept as an activity, logged by no one
    }
    if (commit.issue_keys.empty()) {
      spdlog::info("smart commit without an issue key skipped activity={}", commit.key);
      continue;
    }
    auto user = store_.Users().Get(*user_id);
    if (!user) {
      if (FromTheCommit(user.error())) {
        continue;
      }
      return tl::unexpected(user.error());
    }
    auto zone = feed::Zone::Locate(user->timezone);
    if (!zone) {
      continue;
    }
    // The work ended with the commit: it started `seconds` earlier, but a day's worklog
    // never reaches into the previous day.
    const date::local_seconds at =
        zone->ToLocal(std::chrono::floor<std::chrono::seconds>(commit.occurred_at));
    const date::local_days day = std::chrono::floor<date::days>(at);
    const date::local_seconds start =
        std::max<date::local_seconds>(at - std::chrono::seconds(*commit.time_spent_seconds), day);
    WorklogFields fields;
    fields.issue_key = commit.issue_keys.front();
    fields.start_date = feed::FormatLocalDate(day);
    fields.start_time = feed::FormatLocalTime(start);
    fields.duration_seconds = *commit.time_spent_seconds;
    fields.description = commit.title;
    fields.origin = std::string(domain::OriginName(domain::WorklogOrigin::kSmartCommit));
    auto logged = worklogs_.Log(
        *user, fields, {commit.key},
        domain::SmartCommitDedupeKey(commit.author_email, commit.title, commit.occurred_at));
    if (!logged) {
      if (logged.error().code == ErrorCode::kConflict) {
        // The user logged this commit from the Activity Feed before the rule got to it (its
        // worklog is made after GitLab tells the authored time): its time is counted
        // already. The store lets one worklog hold a commit, whichever node wrote first.
        spdlog::info("smart commit already logged activity={} user_id={} error={}", commit.key,
                     *user_id, logged.error().message);
        continue;
      }
      if (FromTheCommit(logged.error())) {
        spdlog::warn("smart commit not logged activity={} field={} error={}", commit.key,
                     logged.error().field, logged.error().message);
        continue;
      }
      return tl::unexpected(logged.error());
    }
    spdlog::info("smart commit logged activity={} worklog_id={} user_id={} seconds={}", commit.key,
                 logged->id, *user_id, logged->duration_seconds);
  }
  return {};
}

Result<int> Automation::LogEndedDays() {
  auto users = store_.Users().List();
  if (!users) {
    return tl::unexpected(users.error());
  }
  int count = 0;
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  for (const domain::User& user : *users) {
    if (!user.auto_log_day_end) {
      continue;
    }
    auto zone = feed::Zone::Locate(user.timezone);
    if (!zone) {
      continue;
    }
    const date::local_days today = std::chrono::floor<date::days>(zone->ToLocal(now));
    const std::string from =
        feed::FormatLocalDate(today - date::days(std::max(1, options_.auto_log_days)));
    const std::string to = feed::FormatLocalDate(today - date::days(1));
    auto suggestions = feed_.Unhandled(user, from, to);
    if (!suggestions) {
      return tl::unexpected(suggestions.error());
    }
    for (const feed::Suggestion& suggestion : *suggestions) {
      if (!suggestion.issue_key) {
        continue;  // unassigned: only the user knows the issue
      }
      auto logged =
          feed_.LogAs(user, suggestion, LogSuggestionInput{}, domain::WorklogOrigin::kAutomation);
      if (!logged) {
        if (logged.error().code == ErrorCode::kInvalidArgument ||
            logged.error().code == ErrorCode::kConflict) {
          spdlog::warn("auto_log_day_end skipped suggestion={} user_id={} field={} error={}",
                       suggestion.id, user.id, logged.error().field, logged.error().message);
          continue;
        }
        return tl::unexpected(logged.error());
      }
      ++count;
    }
  }
  if (count > 0) {
    spdlog::info("auto_log_day_end logged {} suggestions", count);
  }
  return count;
}

void Automation::Tick() {
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_.Now();
    if (next_sweep_ && now < *next_sweep_) {
      return;
    }
    next_sweep_ =
        now + std::chrono::duration_cast<std::chrono::microseconds>(options_.sweep_interval);
  }
  if (auto logged = LogEndedDays(); !logged) {
    spdlog::warn("auto_log_day_end: {}", logged.error().message);
  }
}

void Automation::Nudge() {
  std::lock_guard lock(mutex_);
  next_sweep_.reset();
}

}  // namespace worklog::app

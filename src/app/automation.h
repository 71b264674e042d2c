#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

#include "app/activity_feed.h"
#include "app/worklogs.h"
#include "common/clock.h"
#include "common/result.h"
#include "domain/activity.h"
#include "store/store.h"

namespace worklog::app {

struct AutomationOptions {
  // The organization-wide `smart_commits` rule (DESIGN.md §2, §3.6); `serve --smart-commits`.
  bool smart_commits = true;
  // auto_log_day_end looks back this many ended local days, so a day whose end passed
  // while no node ran is still logged.
  int auto_log_days = 7;
  // How often the scheduler sweeps for ended days (and at once after Nudge()).
  std::chrono::seconds sweep_interval{60};
};

// The automation rules (DESIGN.md §3.6), run by the sync workers through GitlabSync's hooks.
// Idempotent and safe on several nodes at once: every worklog they make carries a dedupe
// key, so a repeat or a race returns the first worklog instead of a second one. Thread-safe.
class Automation {
 public:
  Automation(store::Store& store, const Clock& clock, Worklogs& worklogs, ActivityFeed& feed,
             AutomationOptions options);

  // Smart commits: each commit in `commits` that carries a smart-commit time and an issue
  // key (its own, else its branch's) logs that time for the commit's author — the worklog
  // user whose GitLab identity has the author's e-mail, else the pusher's — as a worklog of
  // origin smart_commit, ending at the commit's time (occurred_at, which GitlabSync sets to
  // the authored time; the work never starts before that day's local midnight),
  // described by the commit title, dedupe key domain::SmartCommitDedupeKey. Commits of no
  // linked user, without an issue key, or whose time is no valid worklog (over 24 h) log
  // nothing. Errors are only those worth a retry (the database).
  Status LogSmartCommits(const std::vector<domain::Activity>& commits);

  // auto_log_day_end: for every user with the setting on, logs the keyed suggestions of
  // their last `auto_log_days` local days that have ended (yesterday and before) that are
  // neither logged nor dismissed, as worklogs of origin automation. Unassigned suggestions
  // are left for the user. Returns how many suggestions it logged.
  Result<int> LogEndedDays();

  // For the scheduler, about once a second: LogEndedDays() when a sweep is due.
  void Tick();
  // Makes the next Tick() sweep (a user just switched auto_log_day_end on).
  void Nudge();

 private:
  store::Store& store_;
  const Clock& clock_;
  Worklogs& worklogs_;
  ActivityFeed& feed_;
  AutomationOptions options_;  // set once, by the constructor
  std::mutex mutex_;
  std::optional<TimePoint> next_sweep_;  // Guarded by mutex_.
};

}  // namespace worklog::app

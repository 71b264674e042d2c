#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/activity.h"

namespace worklog::store {

// Whose activities, and when: one worklog user's GitLab account(s) and e-mails.
//
// Attribution (DESIGN.md §3.2): a commit belongs to the GitLab user whose e-mail matches
// the commit author's e-mail, else to its pusher; every other activity belongs to its
// actor. So the result holds, with occurred_at in [from, to):
//   - every non-commit activity whose gitlab_user_id is in `gitlab_user_ids`;
//   - every commit whose author_email is in `emails`, whoever pushed it;
//   - every commit pushed by one of `gitlab_user_ids` whose author_email is in neither
//     `emails` nor `claimed_emails` (nor, with `claimed_by_identities`, any linked GitLab
//     identity's e-mails).
struct ActivityQuery {
  std::vector<int64_t> gitlab_user_ids;
  std::vector<std::string> emails;  // lowercased
  // E-mails known to belong to *other* GitLab users (their linked identities, e-mails
  // seen in their pushes): commits authored under them are theirs, not their pusher's.
  std::vector<std::string> claimed_emails;  // lowercased
  TimePoint from{};                         // inclusive
  TimePoint to{};                           // exclusive
  // Every linked identity's e-mails count as claimed too, read by the query itself (the
  // Activity Feed: nobody lists the identities for it).
  bool claimed_by_identities = false;
};

// The feed marks (migrations/*/0030_feed_marks.sql) a new activity bumps: its actor's
// "u:<gitlab_user_id>" and, for a commit, its author's "e:<email>". Together they cover
// every ActivityQuery the activity can answer.
inline std::vector<std::string> FeedMarksOf(const domain::Activity& activity) {
  std::vector<std::string> marks;
  if (activity.gitlab_user_id) {
    marks.push_back("u:" + std::to_string(*activity.gitlab_user_id));
  }
  if (activity.kind == domain::ActivityKind::kCommit) {
    marks.push_back("e:" + activity.author_email);
  }
  return marks;
}

// Days since 1970-01-01 of the UTC day `at` falls on: the day of an activity's day marks.
inline int64_t UtcDayOf(TimePoint at) {
  return std::chrono::floor<std::chrono::days>(at).time_since_epoch().count();
}

// The day-granular feed marks (migrations/*/0035_feed_day_marks.sql) of one user's feed
// over a span of days (ActivityRepository::DayMarks). A local day's suggestions are as they
// were while the global marks, the activity marks of the UTC days it overlaps and the
// worklog mark of its date are unchanged. A missing mark is 0; every mark only grows.
struct FeedDayMarks {
  int64_t identities = 0;  // any GitLab identity linked, changed or unlinked
  int64_t all = 0;         // every activity deleted, the feed settings changed
  // UTC day -> the sum of the user's u:/e: marks of that day (each only grows).
  std::map<int64_t, int64_t> activity_days;
  // Local start date (as days since 1970-01-01) -> the user's w: mark of that date.
  std::map<int64_t, int64_t> worklog_days;
};

// Normalized GitLab activities, stored once per Activity::key. Designed for tens of
// millions of rows: one user's month is two index range scans.
class ActivityRepository {
 public:
  ActivityRepository() = default;
  ActivityRepository(const ActivityRepository&) = delete;
  ActivityRepository& operator=(const ActivityRepository&) = delete;
  ActivityRepository(ActivityRepository&&) = delete;
  ActivityRepository& operator=(ActivityRepository&&) = delete;
  virtual ~ActivityRepository() = default;

  // Stores the activities whose key is new, in one transaction, and returns how many
  // were new. A key already stored (or repeated in the batch) is skipped, never updated:
  // the same push seen by webhook and poll is stored once. Durable on return.
  virtual Result<int64_t> InsertBatch(const std::vector<domain::Activity>& activities) = 0;
  // Ordered by occurred_at, then key.
  virtual Result<std::vector<domain::Activity>> ListForUser(const ActivityQuery& query) = 0;
  // The stored activities with these keys (any order); unknown keys are left out.
  virtual Result<std::vector<domain::Activity>> GetByKeys(const std::vector<std::string>& keys) = 0;
  // Removes every activity (the organization was disconnected).
  virtual Status DeleteAll() = 0;
  virtual Result<int64_t> Count() = 0;

  // A cheap value that changes whenever anything user `user_id`'s Activity Feed is
  // computed from changes, whichever process wrote it: a new activity of their GitLab
  // account or authored under one of their identity's e-mails, any GitLab identity
  // (linked, changed, unlinked: e-mails claimed by others), their worklogs and handled
  // suggestions, every activity deleted. Point lookups in one round trip. Read it before
  // the data it vouches for: a feed computed after reading stamp S is at least as new as S.
  // (The user's time zone and the requested days are not in it: they are the caller's.
  // Anything a feed comes to depend on later, e.g. per-organization estimate settings,
  // needs its own mark here.)
  virtual Result<std::string> FeedStamp(int64_t user_id) = 0;
  // User `user_id`'s day marks of days first_day..last_day (inclusive, days since
  // 1970-01-01): InsertBatch bumps (subject, UTC day of occurred_at) for every mark of
  // FeedMarksOf, a smart-commit worklog's write (subject w:<user_id>, its start date), in
  // the same transaction. Read it before the data it vouches for, as FeedStamp.
  virtual Result<FeedDayMarks> DayMarks(int64_t user_id, int64_t first_day, int64_t last_day) = 0;
};

}  // namespace worklog::store

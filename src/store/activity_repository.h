#pragma once

#include <cstdint>
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
//     `emails` nor `claimed_emails`.
struct ActivityQuery {
  std::vector<int64_t> gitlab_user_ids;
  std::vector<std::string> emails;  // lowercased
  // E-mails known to belong to *other* GitLab users (their linked identities, e-mails
  // seen in their pushes): commits authored under them are theirs, not their pusher's.
  std::vector<std::string> claimed_emails;  // lowercased
  TimePoint from{};                         // inclusive
  TimePoint to{};                           // exclusive
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
};

}  // namespace worklog::store

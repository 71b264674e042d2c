#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "common/clock.h"
#include "common/result.h"
#include "domain/user.h"
#include "domain/worklog.h"
#include "store/store.h"

namespace worklog::app {

// Input of a create (absent: required, or the default) or an update (absent: unchanged).
// Dates and times of day are in the author's time zone.
struct WorklogFields {
  std::optional<std::string> issue_key;
  std::optional<std::string> start_date;  // YYYY-MM-DD
  std::optional<std::string> start_time;  // HH:MM or HH:MM:SS
  std::optional<int64_t> duration_seconds;
  std::optional<std::string> description;  // default ""
  std::optional<std::string> origin;       // default "manual"; cannot change on update
};

struct ListWorklogsInput {
  std::string from;                // YYYY-MM-DD, inclusive
  std::string to;                  // YYYY-MM-DD, inclusive
  std::optional<int64_t> user_id;  // default: the caller; another user: administrators only
};

inline constexpr int kMaxListDays = 366;

struct WorklogList {
  domain::User owner;  // whose worklogs these are
  std::string from;
  std::string to;
  std::vector<domain::Worklog> worklogs;  // by start, then id
};

// Use cases of worklogs. Everyone sees and changes only their own; administrators may also
// list anyone's. A worklog that is not yours is kNotFound, as one that does not exist.
class Worklogs {
 public:
  Worklogs(store::Store& store, const Clock& clock);

  Result<WorklogList> List(const Principal& caller, const ListWorklogsInput& input);
  Result<domain::Worklog> Get(const Principal& caller, int64_t id);
  // `idempotency_key`: a retried create with the same key returns the first worklog.
  Result<domain::Worklog> Create(const Principal& caller, const WorklogFields& fields,
                                 const std::optional<std::string>& idempotency_key);
  Result<domain::Worklog> Update(const Principal& caller, int64_t id, const WorklogFields& fields);
  Status Delete(const Principal& caller, int64_t id);

  // Logs a worklog for `author` (not necessarily a caller: the Activity Feed, smart commits,
  // automation). Validates like Create; `dedupe_key` makes it idempotent per author.
  Result<domain::Worklog> Log(const domain::User& author, const WorklogFields& fields,
                              std::vector<std::string> activity_keys,
                              std::optional<std::string> dedupe_key);

 private:
  Result<domain::Worklog> GetOwn(const Principal& caller, int64_t id);

  store::Store& store_;
  const Clock& clock_;
};

}  // namespace worklog::app

#include "app/worklogs.h"

#include <chrono>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>

namespace worklog::app {
namespace {

constexpr std::size_t kMaxIdempotencyKeyLength = 200;

// Applies the present `fields` to `worklog` and validates the result (fields named as in
// the API). The start instant is computed in `timezone`.
Status Apply(const WorklogFields& fields, const std::string& timezone, domain::Worklog& worklog) {
  if (fields.issue_key) {
    auto key = domain::ValidateIssueKey("issue_key", *fields.issue_key);
    if (!key) {
      return tl::unexpected(key.error());
    }
    worklog.issue_key = std::move(*key);
  } else if (worklog.issue_key.empty()) {
    return InvalidArgument("issue_key", "is required: an issue key like PROJ-123");
  }
  if (fields.start_date) {
    auto date = domain::ValidateDate("start_date", *fields.start_date);
    if (!date) {
      return tl::unexpected(date.error());
    }
    worklog.start_date = std::move(*date);
  } else if (worklog.start_date.empty()) {
    return InvalidArgument("start_date", "is required: a date written YYYY-MM-DD");
  }
  if (fields.start_time) {
    auto time = domain::ValidateTimeOfDay("start_time", *fields.start_time);
    if (!time) {
      return tl::unexpected(time.error());
    }
    worklog.start_time = std::move(*time);
  } else if (worklog.start_time.empty()) {
    return InvalidArgument("start_time", "is required: a time of day written HH:MM");
  }
  if (fields.duration_seconds) {
    auto duration = domain::ValidateDurationSeconds("duration_seconds", *fields.duration_seconds);
    if (!duration) {
      return tl::unexpected(duration.error());
    }
    worklog.duration_seconds = *duration;
  } else if (worklog.duration_seconds == 0) {
    return InvalidArgument("duration_seconds", "is required: seconds, from 1 to 86400");
  }
  if (fields.description) {
    auto description = domain::ValidateDescription("description", *fields.description);
    if (!description) {
      return tl::unexpected(description.error());
    }
    worklog.description = std::move(*description);
  }
  auto start_at = domain::LocalToUtc(worklog.start_date, worklog.start_time, timezone);
  if (!start_at) {
    return tl::unexpected(start_at.error());
  }
  worklog.start_at = *start_at;
  return {};
}

Result<date::sys_days> ParseDay(std::string_view field, std::string_view text) {
  auto valid = domain::ValidateDate(field, text);
  if (!valid) {
    return tl::unexpected(valid.error());
  }
  std::istringstream in(*valid);
  date::sys_days day;
  in >> date::parse("%F", day);
  if (in.fail()) {
    return InvalidArgument(field, "must be a date written YYYY-MM-DD");
  }
  return day;
}

}  // namespace

Worklogs::Worklogs(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

Result<WorklogList> Worklogs::List(const Principal& caller, const ListWorklogsInput& input) {
  if (input.from.empty()) {
    return InvalidArgument("from", "is required: the first day, YYYY-MM-DD");
  }
  if (input.to.empty()) {
    return InvalidArgument("to", "is required: the last day, YYYY-MM-DD");
  }
  auto from = ParseDay("from", input.from);
  if (!from) {
    return tl::unexpected(from.error());
  }
  auto to = ParseDay("to", input.to);
  if (!to) {
    return tl::unexpected(to.error());
  }
  if (*to < *from) {
    return InvalidArgument("to", fmt::format("must not be before from ({})", input.from));
  }
  if ((*to - *from).count() >= kMaxListDays) {
    return InvalidArgument("to",
                           fmt::format("must be at most {} days after from", kMaxListDays - 1));
  }

  WorklogList list{.owner = caller.user, .from = input.from, .to = input.to, .worklogs = {}};
  if (input.user_id && *input.user_id != caller.user.id) {
    if (!caller.IsAdmin()) {
      return PermissionDenied("only administrators may list another user's worklogs");
    }
    auto owner = store_.Users().Get(*input.user_id);
    if (!owner) {
      if (owner.error().code == ErrorCode::kNotFound) {
        return NotFound(fmt::format("user {} does not exist", *input.user_id));
      }
      return tl::unexpected(owner.error());
    }
    list.owner = std::move(*owner);
  }
  auto worklogs = store_.Worklogs().List(
      store::WorklogQuery{.user_id = list.owner.id, .from_date = input.from, .to_date = input.to});
  if (!worklogs) {
    return tl::unexpected(worklogs.error());
  }
  list.worklogs = std::move(*worklogs);
  return list;
}

Result<domain::Worklog> Worklogs::GetOwn(const Principal& caller, int64_t id) {
  auto worklog = store_.Worklogs().Get(id);
  if (!worklog) {
    return tl::unexpected(worklog.error());
  }
  if (worklog->user_id != caller.user.id) {
    return NotFound(fmt::format("worklog {} does not exist", id));
  }
  return worklog;
}

Result<domain::Worklog> Worklogs::Get(const Principal& caller, int64_t id) {
  auto worklog = store_.Worklogs().Get(id);
  if (!worklog) {
    return tl::unexpected(worklog.error());
  }
  if (worklog->user_id != caller.user.id && !caller.IsAdmin()) {
    return NotFound(fmt::format("worklog {} does not exist", id));
  }
  return worklog;
}

Result<domain::Worklog> Worklogs::Create(const Principal& caller, const WorklogFields& fields,
                                         const std::optional<std::string>& idempotency_key) {
  std::optional<std::string> dedupe_key;
  if (idempotency_key) {
    if (idempotency_key->empty() || idempotency_key->size() > kMaxIdempotencyKeyLength) {
      return InvalidArgument("Idempotency-Key",
                             fmt::format("must be 1 to {} characters", kMaxIdempotencyKeyLength));
    }
    dedupe_key = fmt::format("api:{}", *idempotency_key);
  }
  return Log(caller.user, fields, {}, std::move(dedupe_key));
}

Result<domain::Worklog> Worklogs::Log(const domain::User& author, const WorklogFields& fields,
                                      std::vector<std::string> activity_keys,
                                      std::optional<std::string> dedupe_key) {
  domain::Worklog worklog;
  worklog.user_id = author.id;
  if (auto applied = Apply(fields, author.timezone, worklog); !applied) {
    return tl::unexpected(applied.error());
  }
  if (fields.origin) {
    auto origin = domain::ParseOrigin("origin", *fields.origin);
    if (!origin) {
      return tl::unexpected(origin.error());
    }
    worklog.origin = *origin;
  }
  worklog.activity_keys = std::move(activity_keys);
  worklog.dedupe_key = std::move(dedupe_key);
  const TimePoint now = clock_.Now();
  worklog.created_at = now;
  worklog.updated_at = now;
  return store_.Worklogs().Create(worklog);
}

Result<domain::Worklog> Worklogs::Update(const Principal& caller, int64_t id,
                                         const WorklogFields& fields) {
  auto worklog = GetOwn(caller, id);
  if (!worklog) {
    return tl::unexpected(worklog.error());
  }
  if (fields.origin && *fields.origin != domain::OriginName(worklog->origin)) {
    return InvalidArgument(
        "origin", fmt::format("cannot be changed (it is {})", domain::OriginName(worklog->origin)));
  }
  if (auto applied = Apply(fields, caller.user.timezone, *worklog); !applied) {
    return tl::unexpected(applied.error());
  }
  worklog->updated_at = clock_.Now();
  return store_.Worklogs().Update(*worklog);
}

Status Worklogs::Delete(const Principal& caller, int64_t id) {
  auto worklog = GetOwn(caller, id);
  if (!worklog) {
    return tl::unexpected(worklog.error());
  }
  return store_.Worklogs().Delete(id);
}

}  // namespace worklog::app

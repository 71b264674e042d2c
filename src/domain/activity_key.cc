#include "domain/activity_key.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace worklog::domain {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int64_t UnixSeconds(TimePoint at) {
  return std::chrono::floor<std::chrono::seconds>(at).time_since_epoch().count();
}

enum class TimePart { kNone, kBucket, kExact };

TimePart TimePartFor(std::string_view action) {
  if (action == "opened" || action == "merged") {
    return TimePart::kNone;
  }
  if (action == "closed" || action == "approved" || action == "unapproved") {
    return TimePart::kBucket;
  }
  return TimePart::kExact;
}

}  // namespace

std::string CommitKey(int64_t project_id, std::string_view sha) {
  return fmt::format("commit:{}:{}", project_id, Lower(sha));
}

std::string PushKey(int64_t project_id, std::string_view ref, std::string_view after_sha) {
  return fmt::format("push:{}:{}:{}", project_id, ref, Lower(after_sha));
}

std::string NoteKey(int64_t note_id) { return fmt::format("note:{}", note_id); }

std::string TargetActionKey(ActionTarget target, int64_t project_id, int64_t iid,
                            std::string_view action, std::optional<int64_t> actor_id,
                            TimePoint occurred_at) {
  const std::string_view prefix = target == ActionTarget::kMergeRequest ? "mr" : "issue";
  const std::string actor = actor_id ? std::to_string(*actor_id) : std::string("-");
  switch (TimePartFor(action)) {
    case TimePart::kNone:
      return fmt::format("{}:{}:{}:{}", prefix, project_id, iid, action);
    case TimePart::kBucket: {
      constexpr int64_t kWindow =
          std::chrono::duration_cast<std::chrono::seconds>(kActionKeyWindow).count();
      const int64_t seconds = UnixSeconds(occurred_at);
      // Floor division, so times before 1970 bucket consistently too.
      const int64_t bucket = (seconds >= 0 ? seconds : seconds - kWindow + 1) / kWindow * kWindow;
      return fmt::format("{}:{}:{}:{}:{}:{}", prefix, project_id, iid, action, actor, bucket);
    }
    case TimePart::kExact:
      return fmt::format("{}:{}:{}:{}:{}:{}", prefix, project_id, iid, action, actor,
                         UnixSeconds(occurred_at));
  }
  return {};
}

}  // namespace worklog::domain

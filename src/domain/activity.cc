#include "domain/activity.h"

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace worklog::domain {
namespace {

constexpr std::array<std::pair<ActivityKind, std::string_view>, 6> kKindNames = {{
    {ActivityKind::kCommit, "commit"},
    {ActivityKind::kMergeRequest, "merge_request"},
    {ActivityKind::kReview, "review"},
    {ActivityKind::kIssue, "issue"},
    {ActivityKind::kComment, "comment"},
    {ActivityKind::kPush, "push"},
}};

}  // namespace

std::string_view KindName(ActivityKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) {
      return name;
    }
  }
  return "unknown";  // unreachable for a valid enumerator
}

Result<ActivityKind> ParseKind(std::string_view field, std::string_view text) {
  for (const auto& [kind, name] : kKindNames) {
    if (name == text) {
      return kind;
    }
  }
  return InvalidArgument(field, fmt::format("must be one of commit, merge_request, review, issue, "
                                            "comment, push; got \"{}\"",
                                            text.substr(0, 40)));
}

}  // namespace worklog::domain

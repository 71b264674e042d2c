#include "feed/suggest.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "common/crypto.h"
#include "domain/worklog.h"
#include "feed/time_zone.h"

namespace worklog::feed {
namespace {

using std::chrono::seconds;

constexpr std::size_t kMaxDescriptionBytes = 2000;  // well under a worklog's 5,000 characters

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// The first non-blank line of `text`, trimmed.
std::string_view FirstLine(std::string_view text) {
  text = Trim(text);
  return Trim(text.substr(0, text.find('\n')));
}

// At most `limit` bytes of `text`, never cutting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return text;
  }
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  return text.substr(0, end);
}

std::string Description(const std::vector<domain::Activity>& activities) {
  std::vector<std::string_view> primary;    // commit messages and MR titles
  std::vector<std::string_view> secondary;  // issues, reviews, comments: used when no primary
  for (const domain::Activity& activity : activities) {
    std::string_view line = FirstLine(activity.title);
    if (line.empty()) {
      line = FirstLine(activity.body);
    }
    if (line.empty()) {
      continue;
    }
    const bool is_primary = activity.kind == domain::ActivityKind::kCommit ||
                            activity.kind == domain::ActivityKind::kMergeRequest;
    auto& lines = is_primary ? primary : secondary;
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) {
      lines.push_back(line);
    }
  }
  const auto& lines = primary.empty() ? secondary : primary;
  std::string description;
  for (const std::string_view line : lines) {
    if (!description.empty()) {
      description += "; ";
    }
    description += line;
  }
  return std::string(CutUtf8(description, kMaxDescriptionBytes));
}

std::string Why(const std::vector<domain::Activity>& activities,
                const std::vector<ActivityTime>& times) {
  struct Noun {
    domain::ActivityKind kind;
    std::string_view one;
    std::string_view many;
  };
  constexpr std::array<Noun, 6> kNouns = {{
      {domain::ActivityKind::kCommit, "commit", "commits"},
      {domain::ActivityKind::kMergeRequest, "merge request update", "merge request updates"},
      {domain::ActivityKind::kReview, "review", "reviews"},
      {domain::ActivityKind::kIssue, "issue update", "issue updates"},
      {domain::ActivityKind::kComment, "comment", "comments"},
      {domain::ActivityKind::kPush, "push", "pushes"},
  }};
  std::vector<std::string> parts;
  for (const Noun& noun : kNouns) {
    const auto count = std::count_if(activities.begin(), activities.end(),
                                     [&](const auto& a) { return a.kind == noun.kind; });
    if (count > 0) {
      parts.push_back(fmt::format("{} {}", count, count == 1 ? noun.one : noun.many));
    }
  }
  std::string what;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      what += (i + 1 == parts.size()) ? " and " : ", ";
    }
    what += parts[i];
  }
  if (times.empty()) {
    return what;
  }
  const std::string first = times.front().local_time.substr(0, 5);
  const std::string last = times.back().local_time.substr(0, 5);
  if (first == last) {
    return fmt::format("{} at {}", what, first);
  }
  return fmt::format("{} between {} and {}", what, first, last);
}

int ParseDigits(std::string_view text) {
  int value = 0;
  for (const char c : text) {
    value = value * 10 + (c - '0');
  }
  return value;
}

// "YYYY-MM-DD" already checked by domain::ValidateDate.
date::local_days ParseLocalDay(std::string_view text) {
  return date::local_days{date::year{ParseDigits(text.substr(0, 4))} /
                          date::month{static_cast<unsigned>(ParseDigits(text.substr(5, 2)))} /
                          date::day{static_cast<unsigned>(ParseDigits(text.substr(8, 2)))}};
}

}  // namespace

std::string SuggestionId(int64_t user_id, std::string_view date,
                         const std::optional<std::string>& issue_key) {
  // The version tag and line breaks keep the encoding unambiguous (keys hold no line break);
  // never change them, or every remembered "handled" state is lost.
  std::string input = fmt::format("suggestion-v1\n{}\n{}\n", user_id, date);
  input += issue_key ? "key:" + *issue_key : std::string("unassigned");
  return "sg_" + Sha256Hex(input).substr(0, 32);
}

namespace {

// Suggest, copying each activity into its suggestions or, when `movable` is `activities`
// itself (the caller's to give away), moving it into the last suggestion it joins.
Result<std::vector<Suggestion>> SuggestFrom(int64_t user_id, std::string_view time_zone,
                                            const std::vector<domain::Activity>& activities,
                                            const EstimateParams& params,
                                            const std::set<std::string>& logged_elsewhere,
                                            std::vector<domain::Activity>* movable) {
  auto zone = Zone::Locate(time_zone);
  if (!zone) {
    return tl::unexpected(zone.error());
  }
  auto plan = PlanActivities(activities, time_zone, params);
  if (!plan) {
    return tl::unexpected(plan.error());
  }
  // A suggestion under construction and its activities (indexes, time order).
  struct Group {
    Suggestion suggestion;
    std::vector<std::size_t> members;
  };
  // (date, unassigned?, key) -> group; plan order is time order.
  std::map<std::tuple<std::string, bool, std::string>, Group> groups;
  // How many suggestions each activity joins (an activity with two issue keys joins two).
  std::vector<std::size_t> joins(activities.size(), 0);
  const auto add = [&](const ActivityTime& time, const std::optional<std::string>& key,
                       seconds share) {
    Group& group = groups[{time.date, !key.has_value(), key.value_or("")}];
    Suggestion& suggestion = group.suggestion;
    if (suggestion.id.empty()) {
      suggestion.id = SuggestionId(user_id, time.date, key);
      suggestion.user_id = user_id;
      suggestion.date = time.date;
      suggestion.issue_key = key;
      suggestion.evidence.params = params;
      suggestion.start_at = time.occurred_at - time.owned;
    }
    suggestion.start_at = std::min(suggestion.start_at, time.occurred_at - time.owned);
    group.members.push_back(time.index);
    ++joins[time.index];
    suggestion.evidence.activities.push_back(time);
    suggestion.evidence.credited.push_back(share);
    suggestion.evidence.raw += share;
  };
  for (const ActivityTime& time : *plan) {
    if (logged_elsewhere.contains(activities[time.index].key)) {
      continue;
    }
    if (time.issue_keys.empty()) {
      add(time, std::nullopt, time.shares.front());
      continue;
    }
    for (std::size_t i = 0; i < time.issue_keys.size(); ++i) {
      add(time, time.issue_keys[i], time.shares[i]);
    }
  }

  std::vector<Suggestion> suggestions;
  suggestions.reserve(groups.size());
  for (auto& [key, group] : groups) {
    Suggestion& suggestion = group.suggestion;
    suggestion.activities.reserve(group.members.size());
    for (const std::size_t index : group.members) {
      if (movable != nullptr && --joins[index] == 0) {
        suggestion.activities.push_back(std::move((*movable)[index]));
      } else {
        suggestion.activities.push_back(activities[index]);
      }
    }
    suggestion.duration = RoundDuration(suggestion.evidence.raw, params.rounding);
    const date::sys_seconds start{
        std::chrono::floor<seconds>(suggestion.start_at).time_since_epoch()};
    suggestion.start_time = FormatLocalTime(zone->ToLocal(start));
    suggestion.description = Description(suggestion.activities);
    suggestion.why = Why(suggestion.activities, suggestion.evidence.activities);
    suggestions.push_back(std::move(suggestion));
  }
  std::stable_sort(suggestions.begin(), suggestions.end(), [](const auto& a, const auto& b) {
    // Same date: earlier start first; keyed before unassigned; then by key.
    return std::forward_as_tuple(a.date, a.start_at, !a.issue_key.has_value(), a.issue_key) <
           std::forward_as_tuple(b.date, b.start_at, !b.issue_key.has_value(), b.issue_key);
  });
  return suggestions;
}

}  // namespace

Result<std::vector<Suggestion>> Suggest(int64_t user_id, std::string_view time_zone,
                                        const std::vector<domain::Activity>& activities,
                                        const EstimateParams& params,
                                        const std::set<std::string>& logged_elsewhere) {
  return SuggestFrom(user_id, time_zone, activities, params, logged_elsewhere, nullptr);
}

Result<std::vector<Suggestion>> Suggest(int64_t user_id, std::string_view time_zone,
                                        std::vector<domain::Activity>&& activities,
                                        const EstimateParams& params,
                                        const std::set<std::string>& logged_elsewhere) {
  return SuggestFrom(user_id, time_zone, activities, params, logged_elsewhere, &activities);
}

Result<std::pair<TimePoint, TimePoint>> LocalDaysToUtcRange(std::string_view time_zone,
                                                            std::string_view from_date,
                                                            std::string_view to_date) {
  auto zone = Zone::Locate(time_zone);
  if (!zone) {
    return tl::unexpected(zone.error());
  }
  auto from = domain::ValidateDate("from", from_date);
  if (!from) {
    return tl::unexpected(from.error());
  }
  auto to = domain::ValidateDate("to", to_date);
  if (!to) {
    return tl::unexpected(to.error());
  }
  const date::local_days first = ParseLocalDay(*from);
  const date::local_days last = ParseLocalDay(*to);
  if (last < first) {
    return InvalidArgument("to", fmt::format("must not be before from ({})", *from));
  }
  return std::pair<TimePoint, TimePoint>{zone->LocalMidnight(first),
                                         zone->LocalMidnight(last + date::days{1})};
}

}  // namespace worklog::feed

#include "gitlab/normalize.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_check.h"
#include "domain/activity_key.h"
#include "domain/issue_keys.h"
#include "domain/smart_commits.h"
#include "gitlab/normalize_internal.h"

namespace worklog::gitlab {
namespace {

// A cursor over a timestamp's characters.
class TimeReader {
 public:
  explicit TimeReader(std::string_view text) : text_(text) {}

  bool AtEnd() const { return at_ == text_.size(); }
  bool Peek(char c) const { return at_ < text_.size() && text_[at_] == c; }
  void Skip() { ++at_; }
  char Last() const { return text_[at_ - 1]; }
  bool Char(char c) {
    if (!Peek(c)) {
      return false;
    }
    ++at_;
    return true;
  }
  bool Literal(std::string_view word) {
    if (text_.substr(at_).starts_with(word)) {
      at_ += word.size();
      return true;
    }
    return false;
  }
  bool Digit() {
    if (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_])) != 0) {
      ++at_;
      return true;
    }
    return false;
  }
  // Exactly `width` digits.
  bool Number(int width, int& value) {
    value = 0;
    for (int i = 0; i < width; ++i) {
      if (!Digit()) {
        return false;
      }
      value = value * 10 + (Last() - '0');
    }
    return true;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

namespace internal {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTitleBytes = 120;
constexpr std::size_t kMaxBodyBytes = std::size_t{64} * 1024;

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string Truncate(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  return std::string(text.substr(0, end));
}

std::string Excerpt(std::string_view text) {
  std::string line = FirstLine(text);
  if (line.size() <= kMaxTitleBytes) {
    return line;
  }
  return Truncate(line, kMaxTitleBytes - 3) + "\u2026";
}

// DESIGN §3.3: the keys of the first source that has any.
std::vector<std::string> KeysByPrecedence(std::initializer_list<std::string_view> sources) {
  for (const std::string_view source : sources) {
    auto keys = domain::FindIssueKeys(source);
    if (!keys.empty()) {
      return keys;
    }
  }
  return {};
}

std::string Joined(std::string_view title, std::string_view description) {
  if (description.empty()) {
    return std::string(title);
  }
  return fmt::format("{}\n\n{}", title, description);
}

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  std::string lowered(email);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lowered == "[redacted]") {
    return {};
  }
  return lowered;
}

std::string BranchName(std::string_view ref) {
  constexpr std::string_view kHeads = "refs/heads/";
  if (ref.starts_with(kHeads)) {
    ref.remove_prefix(kHeads.size());
  }
  return std::string(ref);
}

std::string FirstLine(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    return {};
  }
  text.remove_prefix(start);
  std::string_view line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return std::string(line);
}

std::string Shown(std::string_view text) {
  std::string shown = Truncate(text, 64);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = '?';
    }
  }
  return shown;
}

std::string JoinPath(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) {
    return std::string(key);
  }
  return fmt::format("{}.{}", prefix, key);
}

Result<json> ParseLimitedJson(std::string_view field, std::string_view text,
                              const NormalizeOptions& options) {
  if (text.size() > options.max_bytes) {
    return InvalidArgument(field, fmt::format("is {} bytes, more than the limit of {} bytes",
                                              text.size(), options.max_bytes));
  }
  // One pass says whether the text nests too deep, so hostile input never becomes a DOM. A
  // syntax error comes before any nesting past the limit, so nlohmann names it (the byte, the
  // reason) without building a deep DOM either.
  if (CheckJson(text, options.max_depth) == JsonCheck::kTooDeep) {
    return InvalidArgument(field,
                           fmt::format("JSON nested deeper than {} levels", options.max_depth));
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // nlohmann's message without its "[json.exception...] parse error at line 1, column 5: ".
    const std::string_view what = e.what();
    const std::size_t column = what.find("column ");
    const std::size_t colon = column == std::string_view::npos ? column : what.find(": ", column);
    return InvalidArgument(
        field, fmt::format("invalid JSON at byte {}: {}", e.byte,
                           colon == std::string_view::npos ? what : what.substr(colon + 2)));
  } catch (const json::exception& e) {
    return InvalidArgument(field, fmt::format("invalid JSON: {}", e.what()));
  }
}

const json* Child(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

Result<int64_t> RequireInt(const json& object, std::string_view key, std::string_view path) {
  const json* value = Child(object, key);
  const std::string name = JoinPath(path, key);
  if (value == nullptr) {
    return InvalidArgument(name, fmt::format("missing field {}", name));
  }
  if (value->is_number_integer()) {
    return value->get<int64_t>();
  }
  return InvalidArgument(name, fmt::format("field {} must be an integer", name));
}

Result<std::string> RequireString(const json& object, std::string_view key, std::string_view path) {
  const json* value = Child(object, key);
  const std::string name = JoinPath(path, key);
  if (value == nullptr) {
    return InvalidArgument(name, fmt::format("missing field {}", name));
  }
  if (value->is_string()) {
    return value->get<std::string>();
  }
  return InvalidArgument(name, fmt::format("field {} must be a string", name));
}

Result<TimePoint> RequireTime(const json& object, std::string_view key, std::string_view path) {
  const std::string name = JoinPath(path, key);
  return RequireString(object, key, path).and_then([&](const std::string& text) {
    return ParseGitlabTime(name, text);
  });
}

Result<std::optional<TimePoint>> OptionalTime(const json& object, std::string_view key,
                                              std::string_view path) {
  const json* value = Child(object, key);
  if (value == nullptr) {
    return std::optional<TimePoint>();
  }
  return RequireTime(object, key, path).map([](TimePoint at) { return std::optional(at); });
}

std::optional<int64_t> OptionalInt(const json& object, std::string_view key) {
  const json* value = Child(object, key);
  if (value == nullptr || !value->is_number_integer()) {
    return std::nullopt;
  }
  return value->get<int64_t>();
}

std::string OptionalString(const json& object, std::string_view key) {
  const json* value = Child(object, key);
  if (value == nullptr || !value->is_string()) {
    return {};
  }
  return value->get<std::string>();
}

bool OptionalBool(const json& object, std::string_view key) {
  const json* value = Child(object, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

std::optional<std::string> WebhookMergeRequestAction(std::string_view action) {
  if (action == "open") {
    return "opened";
  }
  if (action == "update") {
    return "updated";
  }
  if (action == "merge") {
    return "merged";
  }
  if (action == "close") {
    return "closed";
  }
  if (action == "reopen") {
    return "reopened";
  }
  if (action == "approved" || action == "approval") {
    return "approved";
  }
  if (action == "unapproved" || action == "unapproval") {
    return "unapproved";
  }
  return std::nullopt;
}

std::optional<std::string> WebhookIssueAction(std::string_view action) {
  if (action == "open") {
    return "opened";
  }
  if (action == "update") {
    return "updated";
  }
  if (action == "close") {
    return "closed";
  }
  if (action == "reopen") {
    return "reopened";
  }
  return std::nullopt;
}

Normalized FromPush(const PushFacts& push, const NormalizeOptions& options) {
  Normalized out;
  if (push.after == kZeroSha) {
    return out;  // A deleted branch: no work to record.
  }
  for (const CommitFacts& commit : push.commits) {
    domain::Activity activity;
    activity.key = domain::CommitKey(push.project.id, commit.sha);
    activity.kind = domain::ActivityKind::kCommit;
    activity.action = "committed";
    activity.occurred_at = commit.at;
    activity.project_id = push.project.id;
    activity.project_path = push.project.path_with_namespace;
    activity.gitlab_user_id = push.pusher.id;
    activity.author_email = NormalizeEmail(commit.author_email);
    activity.author_name = commit.author_name;
    activity.title =
        Truncate(commit.title.empty() ? FirstLine(commit.message) : commit.title, kMaxTitleBytes);
    activity.body = Truncate(commit.message, kMaxBodyBytes);
    activity.url = commit.url;
    activity.ref = push.ref;
    std::transform(commit.sha.begin(), commit.sha.end(), std::back_inserter(activity.sha),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    activity.issue_keys = KeysByPrecedence({commit.message, push.ref});
    if (const auto logged = domain::ParseSmartCommitTime(commit.message, options.time_units)) {
      activity.time_spent_seconds = logged->seconds;
    }
    out.activities.push_back(std::move(activity));
  }
  if (push.total_commits > static_cast<int64_t>(push.commits.size())) {
    out.needs_commits = CommitRange{.project = push.project,
                                    .ref = push.ref,
                                    .before = push.before,
                                    .after = push.after,
                                    .total_commits = push.total_commits,
                                    .pusher_id = push.pusher.id,
                                    .pusher_name = push.pusher.name};
  }
  if (push.commits.empty() && push.total_commits == 0 && push.at) {
    domain::Activity activity;
    activity.key = domain::PushKey(push.project.id, push.ref, push.after);
    activity.kind = domain::ActivityKind::kPush;
    activity.action = "pushed";
    activity.occurred_at = *push.at;
    activity.project_id = push.project.id;
    activity.project_path = push.project.path_with_namespace;
    activity.gitlab_user_id = push.pusher.id;
    activity.author_email = push.pusher.email;
    activity.author_name = push.pusher.name;
    activity.title = push.before == kZeroSha ? fmt::format("Created branch {}", push.ref)
                                             : fmt::format("Pushed to {}", push.ref);
    if (!push.project.web_url.empty()) {
      activity.url = fmt::format("{}/-/tree/{}", push.project.web_url, push.ref);
    }
    activity.ref = push.ref;
    activity.sha = push.after;
    activity.issue_keys = KeysByPrecedence({push.ref});
    out.activities.push_back(std::move(activity));
  }
  return out;
}

domain::Activity FromTarget(const TargetFacts& facts) {
  domain::Activity activity;
  activity.key = domain::TargetActionKey(facts.target, facts.project.id, facts.iid, facts.action,
                                         facts.actor.id, facts.at);
  const bool review = facts.action == "approved" || facts.action == "unapproved";
  if (facts.target == domain::ActionTarget::kIssue) {
    activity.kind = domain::ActivityKind::kIssue;
  } else {
    activity.kind = review ? domain::ActivityKind::kReview : domain::ActivityKind::kMergeRequest;
  }
  activity.action = facts.action;
  activity.occurred_at = facts.at;
  activity.project_id = facts.project.id;
  activity.project_path = facts.project.path_with_namespace;
  activity.gitlab_user_id = facts.actor.id;
  activity.author_email = facts.actor.email;
  activity.author_name = facts.actor.name;
  activity.title = Truncate(facts.title, kMaxTitleBytes);
  activity.body = Truncate(facts.description, kMaxBodyBytes);
  activity.url = facts.url;
  activity.ref = facts.source_branch;
  activity.issue_keys =
      KeysByPrecedence({Joined(facts.title, facts.description), facts.source_branch});
  return activity;
}

std::optional<domain::Activity> FromNote(const NoteFacts& facts) {
  domain::Activity activity;
  if (facts.noteable_type == "MergeRequest") {
    activity.kind = domain::ActivityKind::kReview;
  } else if (facts.noteable_type == "Commit" || facts.noteable_type == "Issue" ||
             facts.noteable_type == "Snippet") {
    activity.kind = domain::ActivityKind::kComment;
  } else {
    return std::nullopt;  // Designs, epics, ...: not work worklog suggests.
  }
  activity.key = domain::NoteKey(facts.id);
  activity.action = "commented";
  activity.occurred_at = facts.at;
  activity.project_id = facts.project.id;
  activity.project_path = facts.project.path_with_namespace;
  activity.gitlab_user_id = facts.actor.id;
  activity.author_email = facts.actor.email;
  activity.author_name = facts.actor.name;
  activity.title = Excerpt(facts.body);
  activity.body = Truncate(facts.body, kMaxBodyBytes);
  activity.url = facts.url;
  activity.ref = facts.target_branch;
  activity.issue_keys = KeysByPrecedence({facts.body, facts.target_branch, facts.target_text});
  return activity;
}

}  // namespace internal

Result<TimePoint> ParseGitlabTime(std::string_view field, std::string_view text) {
  using std::chrono::days;
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto bad = [&] {
    return InvalidArgument(
        field, fmt::format("\"{}\" is not a timestamp (expected e.g. 2013-12-03T17:15:43Z, "
                           "2011-12-12T14:27:31+02:00 or 2015-05-17 18:08:09 UTC)",
                           internal::Shown(text)));
  };
  TimeReader in{text};
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!in.Number(4, year) || !in.Char('-') || !in.Number(2, month) || !in.Char('-') ||
      !in.Number(2, day) || !(in.Char('T') || in.Char(' ')) || !in.Number(2, hour) ||
      !in.Char(':') || !in.Number(2, minute) || !in.Char(':') || !in.Number(2, second)) {
    return bad();
  }
  std::chrono::microseconds fraction{0};
  if (in.Char('.')) {
    int64_t micros = 0;
    int digits = 0;
    while (in.Digit()) {
      if (digits < 6) {
        micros = micros * 10 + (in.Last() - '0');
      }
      ++digits;
    }
    if (digits == 0 || digits > 9) {
      return bad();
    }
    for (int i = digits; i < 6; ++i) {
      micros *= 10;
    }
    fraction = std::chrono::microseconds(micros);
  }
  const bool spaced = in.Char(' ');
  minutes offset{0};
  if (in.Literal("UTC") || (!spaced && in.Char('Z'))) {
    // UTC.
  } else if (in.Peek('+') || in.Peek('-')) {
    const bool negative = in.Peek('-');
    in.Skip();
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!in.Number(2, offset_hours)) {
      return bad();
    }
    in.Char(':');
    if (!in.Number(2, offset_minutes) || offset_hours > 18 || offset_minutes > 59) {
      return bad();
    }
    offset = hours(offset_hours) + minutes(offset_minutes);
    if (negative) {
      offset = -offset;
    }
  } else {
    return bad();
  }
  if (!in.AtEnd()) {
    return bad();
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  const auto local =
      std::chrono::sys_days{date} + hours(hour) + minutes(minute) + seconds(std::min(second, 59));
  return TimePoint{
      std::chrono::duration_cast<std::chrono::microseconds>((local - offset).time_since_epoch()) +
      fraction};
}

std::string FormatRfc3339(TimePoint at) {
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{at - day};
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  time.hours().count(), time.minutes().count(), time.seconds().count());
  const int64_t micros = time.subseconds().count();
  if (micros % 1000 == 0 && micros != 0) {
    out += fmt::format(".{:03}", micros / 1000);
  } else if (micros != 0) {
    out += fmt::format(".{:06}", micros);
  }
  out += 'Z';
  return out;
}

}  // namespace worklog::gitlab

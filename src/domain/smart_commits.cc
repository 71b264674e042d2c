#include "domain/smart_commits.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/crypto.h"
#include "domain/issue_keys.h"

namespace worklog::domain {
namespace {

constexpr int64_t kMaxAmount = 999'999;  // per component; keeps every product far from overflow
// A sum beyond this (about 31 years) is not time anyone logs; it also keeps sums from overflow.
constexpr int64_t kMaxTotalSeconds = int64_t{1'000'000'000};
constexpr int64_t kSecondsPerMinute = 60;
constexpr int64_t kSecondsPerHour = 60 * kSecondsPerMinute;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsWordChar(char c) {
  return IsDigit(c) || IsAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (IsBlank(text.front()) || text.front() == '\n')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (IsBlank(text.back()) || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// Seconds in one `unit` ("mo", "w", "d", "h", "m", "s"), or nothing for another unit.
std::optional<int64_t> UnitSeconds(std::string_view unit, const TimeUnits& units) {
  const int64_t day = units.hours_per_day * kSecondsPerHour;
  const int64_t week = units.days_per_week * day;
  if (unit == "mo") {
    return units.weeks_per_month * week;
  }
  if (unit == "w") {
    return week;
  }
  if (unit == "d") {
    return day;
  }
  if (unit == "h") {
    return kSecondsPerHour;
  }
  if (unit == "m") {
    return kSecondsPerMinute;
  }
  if (unit == "s") {
    return 1;
  }
  return std::nullopt;
}

// Reads "<digits>" at text[pos]; advances pos. Nothing when there are no digits or too many.
std::optional<int64_t> ReadNumber(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  int64_t value = 0;
  while (pos < text.size() && IsDigit(text[pos])) {
    value = value * 10 + (text[pos] - '0');
    ++pos;
    if (value > kMaxAmount) {
      return std::nullopt;
    }
  }
  if (pos == start) {
    return std::nullopt;
  }
  return value;
}

// One Jira amount token ("2d", "30m"), whole: seconds, or nothing.
std::optional<int64_t> JiraAmount(std::string_view token, const TimeUnits& units) {
  std::size_t pos = 0;
  const auto number = ReadNumber(token, pos);
  if (!number || pos + 1 != token.size()) {
    return std::nullopt;
  }
  const char unit = token[pos];
  if (unit != 'w' && unit != 'd' && unit != 'h' && unit != 'm') {
    return std::nullopt;
  }
  const auto seconds = UnitSeconds(std::string_view(&token[pos], 1), units);
  return *number * *seconds;
}

// Parses what follows "#time" on one line: amounts, then the comment.
std::optional<SmartCommitTime> ParseJiraTimeArguments(std::string_view rest,
                                                      const TimeUnits& units) {
  int64_t total = 0;
  int amounts = 0;
  std::size_t pos = 0;
  while (true) {
    while (pos < rest.size() && IsBlank(rest[pos])) {
      ++pos;
    }
    std::size_t end = pos;
    while (end < rest.size() && !IsBlank(rest[end])) {
      ++end;
    }
    const std::string_view token = rest.substr(pos, end - pos);
    if (token.empty()) {
      break;
    }
    const auto seconds = JiraAmount(token, units);
    if (!seconds) {
      if (IsDigit(token.front())) {
        return std::nullopt;  // "30x", "1.5h", "2 h": an amount we cannot read; never guess
      }
      break;
    }
    total += *seconds;
    if (total > kMaxTotalSeconds) {
      return std::nullopt;
    }
    ++amounts;
    pos = end;
  }
  if (amounts == 0 || total <= 0) {
    return std::nullopt;
  }
  // The comment runs to the next smart-commit command ("#comment", "#resolve") or the line end.
  std::string_view comment = rest.substr(pos);
  for (std::size_t i = 0; i + 1 < comment.size(); ++i) {
    if (comment[i] == '#' && (i == 0 || IsBlank(comment[i - 1])) && IsAlpha(comment[i + 1])) {
      comment = comment.substr(0, i);
      break;
    }
  }
  return SmartCommitTime{total, std::string(Trim(comment))};
}

std::optional<SmartCommitTime> ParseJira(std::string_view message, const TimeUnits& units) {
  constexpr std::string_view kCommand = "#time";
  std::size_t line_start = 0;
  while (line_start <= message.size()) {
    std::size_t line_end = message.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = message.size();
    }
    const std::string_view line = message.substr(line_start, line_end - line_start);
    for (std::size_t i = 0; i + kCommand.size() <= line.size(); ++i) {
      bool is_command = (i == 0 || IsBlank(line[i - 1]));
      for (std::size_t k = 0; is_command && k < kCommand.size(); ++k) {
        is_command = Lower(line[i + k]) == kCommand[k];
      }
      const std::size_t after = i + kCommand.size();
      if (!is_command || (after < line.size() && !IsBlank(line[after]))) {
        continue;
      }
      if (auto time = ParseJiraTimeArguments(line.substr(after), units)) {
        return time;
      }
    }
    line_start = line_end + 1;
  }
  return std::nullopt;
}

// "@1h30m" at message[at] ('@'): seconds, or nothing when it is no valid marker.
std::optional<int64_t> GitlabMarker(std::string_view message, std::size_t at,
                                    const TimeUnits& units) {
  if (at > 0 && IsWordChar(message[at - 1])) {
    return std::nullopt;  // "user@1h.example"
  }
  std::size_t pos = at + 1;
  int64_t total = 0;
  int amounts = 0;
  while (pos < message.size() && IsDigit(message[pos])) {
    const auto number = ReadNumber(message, pos);
    if (!number) {
      return std::nullopt;
    }
    std::string_view unit;
    if (message.substr(pos, 2) == "mo") {
      unit = message.substr(pos, 2);
    } else if (pos < message.size()) {
      unit = message.substr(pos, 1);
    }
    const auto seconds = unit.empty() ? std::nullopt : UnitSeconds(unit, units);
    if (!seconds) {
      return std::nullopt;
    }
    pos += unit.size();
    total += *number * *seconds;
    if (total > kMaxTotalSeconds) {
      return std::nullopt;
    }
    ++amounts;
  }
  if (amounts == 0 || (pos < message.size() && IsWordChar(message[pos]))) {
    return std::nullopt;  // "@team", "@2hosts"
  }
  return total;
}

std::optional<SmartCommitTime> ParseGitlab(std::string_view message, const TimeUnits& units) {
  if (!MentionsGitlabIssue(message)) {
    return std::nullopt;
  }
  for (std::size_t at = message.find('@'); at != std::string_view::npos;
       at = message.find('@', at + 1)) {
    const auto seconds = GitlabMarker(message, at, units);
    if (seconds && *seconds > 0) {
      return SmartCommitTime{*seconds, {}};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<SmartCommitTime> ParseSmartCommitTime(std::string_view message,
                                                    const TimeUnits& units) {
  if (units.hours_per_day <= 0 || units.days_per_week <= 0 || units.weeks_per_month <= 0 ||
      units.hours_per_day > 24 || units.days_per_week > 7 || units.weeks_per_month > 5) {
    return std::nullopt;
  }
  if (!FindIssueKeys(message).empty()) {
    if (auto jira = ParseJira(message, units)) {
      return jira;
    }
  }
  return ParseGitlab(message, units);
}

std::string SmartCommitDedupeKey(std::string_view author_email, std::string_view title,
                                 TimePoint authored_at) {
  std::string email(Trim(author_email));
  for (char& c : email) {
    c = Lower(c);
  }
  std::string_view first = Trim(title);
  first = Trim(first.substr(0, first.find('\n')));
  const auto unix_seconds =
      std::chrono::floor<std::chrono::seconds>(authored_at).time_since_epoch().count();
  // Versioned and line-separated (an e-mail holds no line break): never change the
  // encoding, or commits already logged would log again.
  return "smart_commit:" +
         Sha256Hex(fmt::format("smart-commit-v1\n{}\n{}\n{}", email, unix_seconds, first))
             .substr(0, 32);
}

}  // namespace worklog::domain

#include "domain/worklog.h"

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "domain/utf8.h"

namespace worklog::domain {
namespace {

constexpr std::size_t kMaxIssueKeyLength = 255;
constexpr std::size_t kMaxDescriptionLength = 5000;  // characters

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// The value of the decimal digits text[pos, pos + count), or -1 when one is not a digit.
int Digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) {
      return -1;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string_view OriginName(WorklogOrigin origin) {
  switch (origin) {
    case WorklogOrigin::kManual:
      return "manual";
    case WorklogOrigin::kActivityFeed:
      return "activity_feed";
    case WorklogOrigin::kSmartCommit:
      return "smart_commit";
    case WorklogOrigin::kAutomation:
      return "automation";
  }
  return "manual";
}

Result<WorklogOrigin> ParseOrigin(std::string_view field, std::string_view text) {
  for (const auto origin : {WorklogOrigin::kManual, WorklogOrigin::kActivityFeed,
                            WorklogOrigin::kSmartCommit, WorklogOrigin::kAutomation}) {
    if (text == OriginName(origin)) {
      return origin;
    }
  }
  return InvalidArgument(
      field,
      fmt::format("must be one of manual, activity_feed, smart_commit, automation; got \"{}\"",
                  text));
}

Result<std::string> ValidateIssueKey(std::string_view field, std::string_view key) {
  // [A-Z][A-Z0-9_]+-[0-9]+
  const auto fail = [&] {
    return InvalidArgument(
        field, "must be an issue key like PROJ-123: upper-case project key, '-', number");
  };
  if (key.empty()) {
    return InvalidArgument(field, "is required: an issue key like PROJ-123");
  }
  if (key.size() > kMaxIssueKeyLength) {
    return InvalidArgument(field, fmt::format("must be at most {} characters", kMaxIssueKeyLength));
  }
  const std::size_t dash = key.rfind('-');
  if (dash == std::string_view::npos || dash < 2 || dash + 1 == key.size() || !IsUpper(key[0])) {
    return fail();
  }
  for (std::size_t i = 1; i < dash; ++i) {
    if (!IsUpper(key[i]) && !IsDigit(key[i]) && key[i] != '_') {
      return fail();
    }
  }
  for (std::size_t i = dash + 1; i < key.size(); ++i) {
    if (!IsDigit(key[i])) {
      return fail();
    }
  }
  return std::string(key);
}

Result<int64_t> ValidateDurationSeconds(std::string_view field, int64_t seconds) {
  if (seconds <= 0) {
    return InvalidArgument(field, fmt::format("must be positive, got {}", seconds));
  }
  if (seconds > kMaxWorklogSeconds) {
    return InvalidArgument(
        field, fmt::format("must not exceed one day ({}), got {}", kMaxWorklogSeconds, seconds));
  }
  return seconds;
}

Result<std::string> ValidateDate(std::string_view field, std::string_view text) {
  const auto fail = [&] {
    return InvalidArgument(field, "must be a date written YYYY-MM-DD, like 2026-11-24");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return fail();
  }
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  if (year < 1 || month < 0 || day < 0) {
    return fail();
  }
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) {
    return InvalidArgument(field, fmt::format("{} is not a calendar date", text));
  }
  return std::string(text);
}

Result<std::string> ValidateTimeOfDay(std::string_view field, std::string_view text) {
  const auto fail = [&] {
    return InvalidArgument(field, "must be a time of day written HH:MM or HH:MM:SS, like 09:30");
  };
  if ((text.size() != 5 && text.size() != 8) || text[2] != ':' ||
      (text.size() == 8 && text[5] != ':')) {
    return fail();
  }
  const int hours = Digits(text, 0, 2);
  const int minutes = Digits(text, 3, 2);
  const int seconds = text.size() == 8 ? Digits(text, 6, 2) : 0;
  if (hours < 0 || minutes < 0 || seconds < 0) {
    return fail();
  }
  if (hours > 23 || minutes > 59 || seconds > 59) {
    return InvalidArgument(field,
                           fmt::format("{} is not a time of day (00:00:00 to 23:59:59)", text));
  }
  return fmt::format("{:02}:{:02}:{:02}", hours, minutes, seconds);
}

Result<std::string> ValidateDescription(std::string_view field, std::string_view text) {
  const auto length = Utf8Length(text);
  if (!length) {
    return InvalidArgument(field, "must be valid UTF-8");
  }
  if (*length > kMaxDescriptionLength) {
    return InvalidArgument(field, fmt::format("must be at most {} characters, got {}",
                                              kMaxDescriptionLength, *length));
  }
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgument(field, "must not contain NUL characters");
  }
  return std::string(text);
}

Result<TimePoint> LocalToUtc(std::string_view date_text, std::string_view time_text,
                             std::string_view timezone) {
  auto valid_date = ValidateDate("start_date", date_text);
  if (!valid_date) {
    return tl::unexpected(valid_date.error());
  }
  auto valid_time = ValidateTimeOfDay("start_time", time_text);
  if (!valid_time) {
    return tl::unexpected(valid_time.error());
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(std::string(timezone));
  } catch (const std::runtime_error&) {
    return InvalidArgument("timezone", fmt::format("unknown time zone \"{}\"", timezone));
  }
  const std::string& d = *valid_date;
  const std::string& t = *valid_time;
  const date::year_month_day ymd{date::year{Digits(d, 0, 4)},
                                 date::month{static_cast<unsigned>(Digits(d, 5, 2))},
                                 date::day{static_cast<unsigned>(Digits(d, 8, 2))}};
  const date::local_seconds local = date::local_days{ymd} + std::chrono::hours{Digits(t, 0, 2)} +
                                    std::chrono::minutes{Digits(t, 3, 2)} +
                                    std::chrono::seconds{Digits(t, 6, 2)};
  // `first` is the offset in force before any transition at `local`: for a repeated hour
  // it gives the earlier instant, for a skipped hour it shifts the time forward by the gap.
  const date::local_info info = zone->get_info(local);
  const date::sys_seconds utc{local.time_since_epoch() - info.first.offset};
  return std::chrono::time_point_cast<std::chrono::microseconds>(utc);
}

}  // namespace worklog::domain

#include "gitlab-sim/time_util.h"

#include <cctype>
#include <chrono>

#include <date/date.h>
#include <fmt/format.h>

namespace worklog::gitlab_sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Parts {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int micros = 0;
};

std::string Fmt(TimePoint t, const char* pattern) {
  return date::format(pattern, std::chrono::floor<seconds>(t));
}

int Millis(TimePoint t) {
  const auto since = t.time_since_epoch();
  const auto ms =
      std::chrono::duration_cast<milliseconds>(since - std::chrono::floor<seconds>(since));
  return static_cast<int>(ms.count());
}

// Reads exactly `width` digits at `pos`.
bool Digits(std::string_view s, std::size_t& pos, std::size_t width, int& out) {
  if (pos + width > s.size()) {
    return false;
  }
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = s[pos + i];
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  pos += width;
  out = value;
  return true;
}

bool Expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<TimePoint> Build(const Parts& p, int offset_minutes) {
  const date::year_month_day ymd{date::year{p.year}, date::month{p.month}, date::day{p.day}};
  if (!ymd.ok() || p.hour > 23 || p.minute > 59 || p.second > 60) {
    return std::nullopt;
  }
  TimePoint t = std::chrono::time_point_cast<std::chrono::microseconds>(date::sys_days{ymd}) +
                std::chrono::hours{p.hour} + std::chrono::minutes{p.minute} + seconds{p.second} +
                std::chrono::microseconds{p.micros};
  return t - std::chrono::minutes{offset_minutes};
}

}  // namespace

std::string IsoMillis(TimePoint t) { return fmt::format("{}.{:03d}Z", Fmt(t, "%FT%T"), Millis(t)); }

std::string IsoMillisOffset(TimePoint t) {
  return fmt::format("{}.{:03d}+00:00", Fmt(t, "%FT%T"), Millis(t));
}

std::string IsoOffset(TimePoint t) { return Fmt(t, "%FT%T") + "+00:00"; }

std::string UtcSpaced(TimePoint t) { return Fmt(t, "%F %T") + " UTC"; }

std::string DateOnly(TimePoint t) { return Fmt(t, "%F"); }

std::optional<TimePoint> ParseDate(std::string_view text) {
  Parts p;
  std::size_t pos = 0;
  int month = 0;
  int day = 0;
  if (!Digits(text, pos, 4, p.year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, day) || pos != text.size()) {
    return std::nullopt;
  }
  p.month = static_cast<unsigned>(month);
  p.day = static_cast<unsigned>(day);
  return Build(p, 0);
}

std::optional<TimePoint> ParseTime(std::string_view text) {
  Parts p;
  std::size_t pos = 0;
  int month = 0;
  int day = 0;
  if (!Digits(text, pos, 4, p.year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  p.month = static_cast<unsigned>(month);
  p.day = static_cast<unsigned>(day);
  if (pos == text.size()) {
    return Build(p, 0);
  }
  if (!Expect(text, pos, 'T') && !Expect(text, pos, ' ')) {
    return std::nullopt;
  }
  if (!Digits(text, pos, 2, p.hour) || !Expect(text, pos, ':') || !Digits(text, pos, 2, p.minute)) {
    return std::nullopt;
  }
  if (Expect(text, pos, ':') && !Digits(text, pos, 2, p.second)) {
    return std::nullopt;
  }
  if (Expect(text, pos, '.')) {
    int scale = 100000;
    bool any = false;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      p.micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      any = true;
    }
    if (!any) {
      return std::nullopt;
    }
  }
  int offset = 0;
  if (pos == text.size() || Expect(text, pos, 'Z')) {
    // UTC
  } else if (text.substr(pos) == " UTC") {
    pos = text.size();
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int hours = 0;
    int minutes = 0;
    if (!Digits(text, pos, 2, hours)) {
      return std::nullopt;
    }
    Expect(text, pos, ':');
    if (pos < text.size() && !Digits(text, pos, 2, minutes)) {
      return std::nullopt;
    }
    offset = sign * (hours * 60 + minutes);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  return Build(p, offset);
}

}  // namespace worklog::gitlab_sim

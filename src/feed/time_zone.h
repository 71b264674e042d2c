#pragma once

#include <string>
#include <string_view>

#include <date/tz.h>

#include "common/result.h"

namespace worklog::feed {

// A user's time zone: an IANA zone from the system's tz database, or UTC ("UTC",
// "Etc/UTC"), which needs no database (loading it costs milliseconds per process, which
// `worklog estimate` notices).
class Zone {
 public:
  // Error field "timezone" when `name` is unknown.
  static Result<Zone> Locate(std::string_view name);

  date::local_seconds ToLocal(date::sys_seconds at) const;
  // The instant local midnight of `day` begins. When a DST change skips midnight, the first
  // instant of the day (the end of the gap); when midnight repeats, the earlier instant.
  date::sys_seconds LocalMidnight(date::local_days day) const;

 private:
  explicit Zone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_ = nullptr;  // null: UTC
};

// "2026-11-24" and "09:10:00" (what date::format("%F") / ("%T") give, without a stream:
// the estimate runs over every commit of a history).
std::string FormatLocalDate(date::local_days day);
std::string FormatLocalTime(date::local_seconds at);
// The day of a date already checked as "YYYY-MM-DD" (domain::ValidateDate, or as stored),
// without a stream: the feed reads one per suggestion.
date::local_days ParseLocalDate(std::string_view checked);

}  // namespace worklog::feed

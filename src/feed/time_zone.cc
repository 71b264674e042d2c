#include "feed/time_zone.h"

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace worklog::feed {

Result<Zone> Zone::Locate(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") {
    return Zone(nullptr);
  }
  try {
    return Zone(date::locate_zone(std::string(name)));
  } catch (const std::runtime_error&) {
    return InvalidArgument("timezone", fmt::format("unknown time zone \"{}\"", name.substr(0, 64)));
  }
}

date::local_seconds Zone::ToLocal(date::sys_seconds at) const {
  if (zone_ == nullptr) {
    return date::local_seconds{at.time_since_epoch()};
  }
  return zone_->to_local(at);
}

date::sys_seconds Zone::LocalMidnight(date::local_days day) const {
  const date::local_seconds midnight{day};
  if (zone_ == nullptr) {
    return date::sys_seconds{midnight.time_since_epoch()};
  }
  const date::local_info info = zone_->get_info(midnight);
  if (info.result == date::local_info::nonexistent) {
    return info.first.end;  // the day starts when the skipped hour ends
  }
  // Unique, or the earlier of two instants when midnight repeats.
  return date::sys_seconds{midnight.time_since_epoch() - info.first.offset};
}

date::local_days ParseLocalDate(std::string_view checked) {
  const auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (const char c : checked.substr(at, length)) {
      value = value * 10 + (c - '0');
    }
    return value;
  };
  return date::local_days{date::year{number(0, 4)} /
                          date::month{static_cast<unsigned>(number(5, 2))} /
                          date::day{static_cast<unsigned>(number(8, 2))}};
}

std::string FormatLocalDate(date::local_days day) {
  const date::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string FormatLocalTime(date::local_seconds at) {
  const date::hh_mm_ss<std::chrono::seconds> time{at - date::floor<date::days>(at)};
  return fmt::format("{:02}:{:02}:{:02}", time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

}  // namespace worklog::feed

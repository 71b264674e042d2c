#include "feed/time_zone.h"

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace worklog::feed {

Result<const date::time_zone*> LocateZone(std::string_view name) {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::runtime_error&) {
    return InvalidArgument("timezone", fmt::format("unknown time zone \"{}\"", name.substr(0, 64)));
  }
}

date::sys_seconds LocalMidnight(const date::time_zone& zone, date::local_days day) {
  const date::local_seconds midnight{day};
  const date::local_info info = zone.get_info(midnight);
  if (info.result == date::local_info::nonexistent) {
    return info.first.end;  // the day starts when the skipped hour ends
  }
  // Unique, or the earlier of two instants when midnight repeats.
  return date::sys_seconds{midnight.time_since_epoch() - info.first.offset};
}

}  // namespace worklog::feed

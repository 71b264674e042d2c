#pragma once

#include <string_view>

#include <date/tz.h>

#include "common/result.h"

namespace worklog::feed {

// The IANA zone `name` from the system's tz database; error field "timezone" when unknown.
Result<const date::time_zone*> LocateZone(std::string_view name);

// The instant local midnight of `day` begins in `zone`. When a DST change skips midnight,
// the first instant of the day (the end of the gap).
date::sys_seconds LocalMidnight(const date::time_zone& zone, date::local_days day);

}  // namespace worklog::feed

#include "feed/time_zone.h"

#include <gtest/gtest.h>

namespace worklog::feed {
namespace {

// A checked date reads back as the day FormatLocalDate writes, across years, months and
// leap days.
TEST(LocalDate, ParseIsFormatsInverse) {
  const date::local_days first{date::year{1999} / date::month{12} / date::day{30}};
  for (int offset = 0; offset < 11'000; offset += 7) {
    const date::local_days day = first + date::days(offset);
    EXPECT_EQ(ParseLocalDate(FormatLocalDate(day)), day) << FormatLocalDate(day);
  }
  EXPECT_EQ(ParseLocalDate("2024-02-29"),
            (date::local_days{date::year{2024} / date::month{2} / date::day{29}}));
  EXPECT_EQ(ParseLocalDate("1970-01-01").time_since_epoch().count(), 0);
}

}  // namespace
}  // namespace worklog::feed

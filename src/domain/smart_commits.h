#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace worklog::domain {

struct TimeUnits {
  int64_t hours_per_day = 8;
  int64_t days_per_week = 5;
  int64_t weeks_per_month = 4;  // GitLab's "mo": 1mo = 4w = 20d = 160h by default
};

// Time logged by a commit message, in seconds, or nothing when the message logs none or
// the amount cannot be parsed (never guessed).
//  - Jira smart commits: "PROJ-7 #time 1w 2d 4h 30m fixed X" (units w d h m; the issue key
//    must appear in the message).
//  - GitLab's commit time marker: "Fix login #123 @1h30m" (units mo w d h m s, no spaces;
//    needs a GitLab issue reference).
struct SmartCommitTime {
  int64_t seconds = 0;
  std::string comment;  // the text after the amount (Jira), may be empty
};
//
// Details (decided in smart_commits.cc, tested in smart_commits_test.cc):
//  - Jira: "#time" (any case) stands as a word and is followed by one or more amounts
//    "<digits><w|d|h|m>" separated by blanks, in any order (repeated units add up). A token
//    after the amounts that starts with a digit ("30x", "1.5h", "2 h") makes the command
//    unparsable: it is ignored, not guessed. The comment is the rest of that line up to the
//    next "#command". A command never spans lines; the first valid #time counts.
//  - GitLab: "@" not glued to a word before it, amounts "<digits><mo|w|d|h|m|s>" with no
//    spaces, not followed by a letter or digit ("user@2hosts" is no marker). The first
//    non-zero marker counts, as GitLab's TimeTrackingExtractor does. GitLab itself (2025)
//    omits "w" from its marker pattern; we accept it, as its time tracking does elsewhere.
//  - Jira's #time wins when a message has both. Zero amounts log nothing.
//  - Units of zero or less, or amounts over 999,999 per component, log nothing.
std::optional<SmartCommitTime> ParseSmartCommitTime(std::string_view message,
                                                    const TimeUnits& units = {});

// The dedupe key of the worklog a smart commit logs: "smart_commit:" + 32 hex characters,
// from the commit's stable identity — its author's e-mail (case-insensitive), its title
// (first line, surrounding blanks ignored) and its authored time (whole seconds) — and
// not its sha or project. So the same commit pushed to two branches, delivered twice,
// rebased, cherry-picked or amended without a new title logs its time once.
std::string SmartCommitDedupeKey(std::string_view author_email, std::string_view title,
                                 TimePoint authored_at);

}  // namespace worklog::domain

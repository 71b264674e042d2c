#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace worklog::feed {

// A compatibility mode reproducing the per-author totals of the npm tool git-hours 1.5.0
// (kimmobrunfeldt/git-hours, src/index.js) exactly, quirks included: our external check of
// the engine (DESIGN.md §3.4). Its algorithm, per author:
//  - commits are grouped by the author e-mail exactly as written (case-sensitive; an empty
//    e-mail becomes "unknown"); the name shown is that of the group's first commit;
//  - the time of a commit is its *committer* time (nodegit's Commit.date());
//  - times sorted; for each consecutive pair, a gap strictly below max_commit_diff adds the
//    gap, any other gap adds first_commit_addition; the very first commit adds nothing, so an
//    author with one commit scores 0;
//  - the sum is in floating-point hours and rounded with JavaScript's Math.round (halves up)
//    per author; the total is the sum of the rounded author hours;
//  - commits are read from every local branch (refs/heads/*) and NOT deduplicated (its
//    _.uniq call passes an iteratee lodash 4 ignores): a commit on two branches counts twice
//    in `commits` (it adds a zero gap, so hours are unaffected).
struct GitHoursCommit {
  std::string author_email;
  std::string author_name;
  int64_t time = 0;  // committer time, Unix seconds
};

struct GitHoursParams {
  int64_t max_commit_diff_minutes = 120;
  int64_t first_commit_addition_minutes = 120;
};

struct GitHoursAuthor {
  std::string email;
  std::string name;
  int64_t hours = 0;
  int64_t commits = 0;
};

struct GitHoursReport {
  // Sorted by hours ascending; ties keep the order of each e-mail's first commit (lodash's
  // stable sortBy over groupBy's insertion order), as git-hours prints them.
  std::vector<GitHoursAuthor> authors;
  int64_t total_hours = 0;
  int64_t total_commits = 0;
};

// `commits` in git-hours' reading order: branch by branch, each branch newest first.
GitHoursReport EstimateGitHours(const std::vector<GitHoursCommit>& commits,
                                const GitHoursParams& params = {});

// git-hours' estimateHours for one author's commit times (Unix seconds, any order).
int64_t GitHoursForTimes(std::vector<int64_t> times, const GitHoursParams& params = {});

}  // namespace worklog::feed

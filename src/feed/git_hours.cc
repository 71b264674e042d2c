#include "feed/git_hours.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace worklog::feed {
namespace {

// JavaScript's Math.round: the nearest integer, halves toward +infinity.
int64_t JsMathRound(double value) {
  const double floor = std::floor(value);
  return static_cast<int64_t>(value - floor >= 0.5 ? floor + 1.0 : floor);
}

}  // namespace

int64_t GitHoursForTimes(std::vector<int64_t> times, const GitHoursParams& params) {
  if (times.size() < 2) {
    return 0;
  }
  std::sort(times.begin(), times.end());
  // The same double operations in the same order as index.js, so the same rounding:
  // diffInMinutes = (nextDate - date) / 1000 / 60 on millisecond Dates, hours += diff / 60.
  const auto max_diff = static_cast<double>(params.max_commit_diff_minutes);
  const auto addition = static_cast<double>(params.first_commit_addition_minutes);
  double hours = 0;
  for (std::size_t i = 0; i + 1 < times.size(); ++i) {
    const auto diff_ms = static_cast<double>(times[i + 1] * 1000 - times[i] * 1000);
    const double diff_minutes = diff_ms / 1000 / 60;
    if (diff_minutes < max_diff) {
      hours = hours + diff_minutes / 60;
    } else {
      hours = hours + addition / 60;
    }
  }
  return JsMathRound(hours);
}

GitHoursReport EstimateGitHours(const std::vector<GitHoursCommit>& commits,
                                const GitHoursParams& params) {
  struct Group {
    std::string email;
    std::string name;
    std::vector<int64_t> times;
  };
  std::vector<Group> groups;  // in order of first appearance, like _.groupBy's keys
  std::unordered_map<std::string, std::size_t> index_of;
  for (const GitHoursCommit& commit : commits) {
    const std::string email = commit.author_email.empty() ? "unknown" : commit.author_email;
    auto [it, inserted] = index_of.try_emplace(email, groups.size());
    if (inserted) {
      groups.push_back({email, commit.author_name, {}});
    }
    groups[it->second].times.push_back(commit.time);
  }
  GitHoursReport report;
  report.total_commits = static_cast<int64_t>(commits.size());
  for (Group& group : groups) {
    GitHoursAuthor author;
    author.email = std::move(group.email);
    author.name = std::move(group.name);
    author.commits = static_cast<int64_t>(group.times.size());
    author.hours = GitHoursForTimes(std::move(group.times), params);
    report.total_hours += author.hours;
    report.authors.push_back(std::move(author));
  }
  std::stable_sort(report.authors.begin(), report.authors.end(),
                   [](const auto& a, const auto& b) { return a.hours < b.hours; });
  return report;
}

}  // namespace worklog::feed

// The feed engine on synthetic histories: Suggest (what GET /activity-feed computes on read)
// and the git-hours compatible totals (what `worklog estimate --git-hours-compatible` runs).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "domain/activity.h"
#include "feed/estimate.h"
#include "feed/git_hours.h"
#include "feed/suggest.h"

namespace {

using worklog::TimePoint;
using worklog::domain::Activity;

// `count` commits of one user, 7 to 67 minutes apart, cycling through 5 issue keys.
std::vector<Activity> History(int64_t count) {
  std::vector<Activity> activities;
  TimePoint at{std::chrono::seconds(1'767'222'000)};  // 2025-12-31T23:00:00Z
  for (int64_t i = 0; i < count; ++i) {
    at += std::chrono::minutes(7 + (i * 37) % 61);
    Activity activity;
    activity.key = "commit:1:" + std::to_string(i);
    activity.occurred_at = at;
    activity.title = "Change " + std::to_string(i % 13);
    if (i % 6 != 0) {
      activity.issue_keys = {"PROJ-" + std::to_string(i % 5 + 1)};
    }
    activities.push_back(std::move(activity));
  }
  return activities;
}

void BM_SuggestWeek(benchmark::State& state) {
  const auto activities = History(state.range(0));
  for (auto _ : state) {
    auto suggestions = worklog::feed::Suggest(7, "Europe/Oslo", activities);
    benchmark::DoNotOptimize(suggestions);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SuggestWeek)->Arg(100)->Arg(1000);

void BM_EstimateTotals(benchmark::State& state) {
  const auto activities = History(state.range(0));
  for (auto _ : state) {
    auto totals = worklog::feed::EstimateTotals(activities, "UTC");
    benchmark::DoNotOptimize(totals);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EstimateTotals)->Arg(3211);

void BM_GitHours(benchmark::State& state) {
  std::vector<worklog::feed::GitHoursCommit> commits;
  for (int64_t i = 0; i < state.range(0); ++i) {
    commits.push_back({"author" + std::to_string(i % 51) + "@example.invalid", "Author",
                       1'449'014'542 + i * 1'800});
  }
  for (auto _ : state) {
    auto report = worklog::feed::EstimateGitHours(commits);
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GitHours)->Arg(3211);

}  // namespace

#include "http/activity_feed_json.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "domain/activity.h"
#include "http/json.h"

namespace worklog::http {
namespace {

// The body as routes_activity_feed.cc built it before ActivityFeedJson, through an
// nlohmann::json tree: the API's shape, which ActivityFeedJson must keep byte for byte.
std::string TreeJson(const app::ActivityFeedPage& page) {
  nlohmann::json suggestions = nlohmann::json::array();
  for (const auto& suggestion : page.suggestions) {
    nlohmann::json activities = nlohmann::json::array();
    for (const auto& activity : suggestion.activities) {
      activities.push_back({{"key", activity.key},
                            {"kind", std::string(domain::KindName(activity.kind))},
                            {"action", activity.action},
                            {"occurred_at", Rfc3339(activity.occurred_at)},
                            {"title", activity.title},
                            {"url", activity.url},
                            {"project_path", activity.project_path}});
    }
    suggestions.push_back(
        {{"id", suggestion.id},
         {"date", suggestion.date},
         {"start_time", suggestion.start_time},
         {"duration_seconds", suggestion.duration.count()},
         {"issue_key",
          suggestion.issue_key ? nlohmann::json(*suggestion.issue_key) : nlohmann::json(nullptr)},
         {"description", suggestion.description},
         {"why", suggestion.why},
         {"activities", std::move(activities)}});
  }
  return JsonResponse(
             200, {{"from", page.from}, {"to", page.to}, {"suggestions", std::move(suggestions)}})
      .body;
}

domain::Activity Activity(domain::ActivityKind kind, int64_t unix_micros, std::string title) {
  domain::Activity activity;
  activity.key = "mr:7:" + std::to_string(unix_micros);
  activity.kind = kind;
  activity.action = "opened";
  activity.occurred_at = TimePoint(std::chrono::microseconds(unix_micros));
  activity.project_path = "group/sub \"quoted\"";
  activity.title = std::move(title);
  activity.url = "https://gitlab.example.com/group/sub/-/merge_requests/7";
  activity.body = "not shown";
  return activity;
}

app::ActivityFeedPage Page() {
  app::ActivityFeedPage page;
  page.from = "2026-11-01";
  page.to = "2026-11-30";
  feed::Suggestion assigned;
  assigned.id = "sg_0123456789abcdef0123456789abcdef";
  assigned.date = "2026-11-24";
  assigned.start_time = "09:10:00";
  assigned.duration = std::chrono::seconds(5400);
  assigned.issue_key = "PROJ-7";
  assigned.description = R"(PROJ-7 fix the \ escaping; review "API")";
  assigned.why = "1 commit and 1 review between 09:10 and 10:40";
  // 2026-11-24T09:10:00.999999Z (the fraction is dropped), 1969-12-31T23:59:59Z (before the
  // epoch), and a title with a control character, non-ASCII text and a bad byte.
  assigned.activities = {
      Activity(domain::ActivityKind::kCommit, 1'795'511'400'999'999, "PROJ-7 fix\ttabs"),
      Activity(domain::ActivityKind::kReview, -1, "café 日本 😀 \x80 bad byte"),
      Activity(domain::ActivityKind::kMergeRequest, 0, "")};
  feed::Suggestion unassigned;
  unassigned.id = "sg_fedcba9876543210fedcba9876543210";
  unassigned.date = "2026-11-25";
  unassigned.start_time = "23:59:59";
  unassigned.duration = std::chrono::seconds(0);
  unassigned.activities = {
      Activity(domain::ActivityKind::kComment, 1'795'651'199'000'000, "a note\n")};
  page.suggestions = {assigned, unassigned};
  return page;
}

TEST(ActivityFeedJson, IsByteForByteTheBodyTheJsonTreeGave) {
  const app::ActivityFeedPage page = Page();
  const std::string body = ActivityFeedJson(page);
  EXPECT_EQ(body, TreeJson(page));
  const auto parsed = nlohmann::json::parse(body);
  ASSERT_EQ(parsed["suggestions"].size(), 2U);
  EXPECT_EQ(parsed["suggestions"][0]["activities"][0]["occurred_at"], "2026-11-24T09:10:00Z");
  EXPECT_EQ(parsed["suggestions"][0]["activities"][1]["occurred_at"], "1969-12-31T23:59:59Z");
  EXPECT_EQ(parsed["suggestions"][0]["activities"][2]["occurred_at"], "1970-01-01T00:00:00Z");
  EXPECT_TRUE(parsed["suggestions"][1]["issue_key"].is_null());
  EXPECT_FALSE(parsed["suggestions"][0]["activities"][0].contains("body"));
}

TEST(ActivityFeedJson, AnEmptyMonthHasNoSuggestions) {
  app::ActivityFeedPage page;
  page.from = "2026-11-01";
  page.to = "2026-11-30";
  EXPECT_EQ(ActivityFeedJson(page), R"({"from":"2026-11-01","suggestions":[],"to":"2026-11-30"})");
  EXPECT_EQ(ActivityFeedJson(page), TreeJson(page));
}

TEST(ActivityFeedJson, IsTheSameFromTheSuggestionsParts) {
  const app::ActivityFeedPage page = Page();
  std::vector<std::string> parts;
  for (const auto& suggestion : page.suggestions) {
    parts.push_back(SuggestionJson(suggestion));
  }
  EXPECT_EQ(ActivityFeedJson(page.from, page.to, {parts.begin(), parts.end()}),
            ActivityFeedJson(page));
  EXPECT_EQ(
      ActivityFeedJsonHead(page.from) + parts[0] + "," + parts[1] + ActivityFeedJsonTail(page.to),
      ActivityFeedJson(page));
  EXPECT_EQ(ActivityFeedJson("2026-11-01", "2026-11-30", {}),
            R"({"from":"2026-11-01","suggestions":[],"to":"2026-11-30"})");
}

}  // namespace
}  // namespace worklog::http

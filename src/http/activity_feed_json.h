#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/activity_feed.h"

namespace worklog::http {

// The body of GET /api/v1/me/activity-feed (DESIGN §5): {"from", "suggestions", "to"},
// each suggestion with its activities. Written directly (http/json_writer.h), without an
// nlohmann::json tree: a month is thousands of activities, and the tree cost more than
// reading them. Members are in name order, as nlohmann::json wrote them before.
std::string ActivityFeedJson(const app::ActivityFeedPage& page);
// One suggestion's object in that body, and the body from the suggestions' objects
// (byte for byte ActivityFeedJson of a page with those suggestions).
std::string SuggestionJson(const feed::Suggestion& suggestion);
std::string ActivityFeedJson(std::string_view from, std::string_view to,
                             const std::vector<std::string_view>& suggestions);
// That body is ActivityFeedJsonHead(from), the suggestions' objects joined by ",", then
// ActivityFeedJsonTail(to).
std::string ActivityFeedJsonHead(std::string_view from);
std::string ActivityFeedJsonTail(std::string_view to);

}  // namespace worklog::http

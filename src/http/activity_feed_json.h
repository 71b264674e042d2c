#pragma once

#include <string>

#include "app/activity_feed.h"

namespace worklog::http {

// The body of GET /api/v1/me/activity-feed (DESIGN §5): {"from", "suggestions", "to"},
// each suggestion with its activities. Written directly (http/json_writer.h), without an
// nlohmann::json tree: a month is thousands of activities, and the tree cost more than
// reading them. Members are in name order, as nlohmann::json wrote them before.
std::string ActivityFeedJson(const app::ActivityFeedPage& page);

}  // namespace worklog::http

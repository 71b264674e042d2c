// libFuzzer target for the normalizer (make fuzz; scripts/run-fuzz). The input is a payload:
// as a webhook it goes through "Service Hook", which dispatches on the payload's own
// object_kind (push, merge_request, issue, note), so one parse reaches every reader; a JSON
// array also goes through the Events API path. Beyond "no crash, no UB, no leak", it checks
// what callers rely on: every activity has a key and a time that survives RFC 3339.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "gitlab/normalize.h"

namespace {

using worklog::TimePoint;
using worklog::domain::Activity;
namespace gitlab = worklog::gitlab;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

void CheckActivity(const Activity& activity) {
  Require(!activity.key.empty(), "every activity has a key");
  const auto year =
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(activity.occurred_at))
          .year();
  if (year >= std::chrono::year(1) && year <= std::chrono::year(9998)) {
    const auto again =
        gitlab::ParseGitlabTime("occurred_at", gitlab::FormatRfc3339(activity.occurred_at));
    Require(again.has_value() && *again == activity.occurred_at,
            "occurred_at survives FormatRfc3339 + ParseGitlabTime");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  gitlab::NormalizeOptions options;
  options.received_at = TimePoint(std::chrono::seconds(1700000000));
  options.max_bytes = 1024 * 1024;

  if (const auto webhook = gitlab::NormalizeWebhook("Service Hook", input, options)) {
    for (const Activity& activity : webhook->activities) {
      CheckActivity(activity);
    }
    if (webhook->needs_commits) {
      Require(
          webhook->needs_commits->total_commits > static_cast<int64_t>(webhook->activities.size()),
          "needs_commits only when commits are missing");
    }
  } else {
    Require(!webhook.error().message.empty(), "errors say what is wrong");
  }

  const std::size_t first = input.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && input[first] == '[') {
    const gitlab::ProjectRef project{
        .id = 15, .path_with_namespace = "mike/diaspora", .web_url = "https://example.com/m/d"};
    if (const auto page = gitlab::NormalizeEvents(project, input, options)) {
      for (const Activity& activity : page->activities) {
        CheckActivity(activity);
      }
    }
  }

  // Timestamps on their own, for short inputs.
  if (size <= 64) {
    if (const auto at = gitlab::ParseGitlabTime("t", input)) {
      (void)gitlab::FormatRfc3339(*at);
    }
  }
  return 0;
}

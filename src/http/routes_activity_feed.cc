// GET /api/v1/me/activity-feed, POST /api/v1/me/activity-feed/{suggestion_id}/log and
// .../dismiss (DESIGN §5).
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/activity_feed_json.h"
#include "http/gzip.h"
#include "http/gzip_parts.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_activity_feed {
namespace {

Result<app::LogSuggestionInput> ParseLogInput(std::string_view text) {
  app::LogSuggestionInput input;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return input;  // no body: log the suggestion as it is
  }
  auto body = ParseJsonObject(text);
  if (!body) {
    return tl::unexpected(body.error());
  }
  if (auto known =
          RejectUnknownFields(*body, {"issue_key", "start", "duration_seconds", "description"});
      !known) {
    return tl::unexpected(known.error());
  }
  for (const auto& [name, target] :
       {std::pair{"issue_key", &input.issue_key}, std::pair{"start", &input.start},
        std::pair{"description", &input.description}}) {
    auto value = OptionalString(*body, name);
    if (!value) {
      return tl::unexpected(value.error());
    }
    *target = std::move(*value);
  }
  auto duration = OptionalInt(*body, "duration_seconds");
  if (!duration) {
    return tl::unexpected(duration.error());
  }
  input.duration_seconds = *duration;
  return input;
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Get("/api/v1/me/activity-feed", {}, [&app](const Request& request) {
    app::ActivityFeedInput input;
    input.from = std::string(request.Query("from").value_or(""));
    input.to = std::string(request.Query("to").value_or(""));
    // Rendered once per change of the feed and kept gzipped (app/feed_cache.h): a month
    // is hundreds of KiB of JSON, an eighth of that compressed. Gzip's fastest level: a
    // change costs one render (about 4 times faster than the default level), for about a
    // quarter more bytes. A body read again is compressed again at the smallest level in
    // the background (a month: 74 -> 53 KB on the 10 M seed), so the re-reads that follow
    // send and keep about 30% fewer bytes.
    // Each local day's suggestions are kept rendered and deflated on their own
    // (app/activity_feed.h, http/gzip_parts.h): after a change only the days that changed
    // are rendered and compressed again, and the month is its days' parts joined.
    static const app::ActivityFeed::Renderer renderer{
        .suggestion = [](const feed::Suggestion& suggestion) { return SuggestionJson(suggestion); },
        .day =
            [](const std::vector<std::string_view>& parts) {
              std::string json;
              for (const std::string_view part : parts) {
                if (!json.empty()) {
                  json.push_back(',');
                }
                json += part;
              }
              return DeflatePart(json, kGzipFastest);
            },
        .page =
            [](std::string_view from, std::string_view to,
               const std::vector<std::string_view>& days) {
              return GzipJoined(ActivityFeedJsonHead(from), days, ",", ActivityFeedJsonTail(to),
                                kGzipFastest);
            }};
    auto gzipped = app.activity_feed().GetRendered(
        request.Caller(), input, renderer, [](const std::string& fast) {
          auto json = Gunzip(fast);
          return json ? Gzip(*json, kGzipSmallest) : std::string();
        });
    if (!gzipped) {
      return ErrorResponse(gzipped.error());
    }
    Response response;
    response.status = 200;
    response.SetHeader("Vary", "Accept-Encoding");
    if (AcceptsGzip(request.Header("Accept-Encoding").value_or(""))) {
      // A content type the HTTP library does not compress again on its own.
      response.content_type = "application/json; charset=utf-8";
      response.SetHeader("Content-Encoding", "gzip");
      response.shared_body = std::move(*gzipped);  // sent from the cache, not copied
      return response;
    }
    auto body = Gunzip(**gzipped);
    if (!body) {
      return ErrorResponse(body.error());
    }
    response.content_type = "application/json";
    response.body = std::move(*body);
    return response;
  });
  router.Post("/api/v1/me/activity-feed/{suggestion_id}/log", {}, [&app](const Request& request) {
    auto input = ParseLogInput(request.body);
    if (!input) {
      return ErrorResponse(input.error());
    }
    auto worklog =
        app.activity_feed().Log(request.Caller(), request.PathParam("suggestion_id"), *input);
    if (!worklog) {
      return ErrorResponse(worklog.error());
    }
    return JsonResponse(201, WorklogJson(*worklog));
  });
  router.Post(
      "/api/v1/me/activity-feed/{suggestion_id}/dismiss", {}, [&app](const Request& request) {
        if (auto dismissed =
                app.activity_feed().Dismiss(request.Caller(), request.PathParam("suggestion_id"));
            !dismissed) {
          return ErrorResponse(dismissed.error());
        }
        return NoContent();
      });
}

}  // namespace worklog::http::routes_activity_feed

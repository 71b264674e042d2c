// POST /hooks/gitlab: GitLab's webhook deliveries (DESIGN §3.1, §6). Checks the secret
// token in constant time (401, nothing stored), stores the raw delivery durably before
// answering 202, deduplicates redeliveries; the workers normalize from the inbox.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "common/json_check.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"

namespace worklog::http::routes_webhook {
namespace {

inline constexpr std::size_t kWebhookMaxBody = std::size_t{25} * 1024 * 1024;  // GitLab's own limit

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  std::shared_ptr<spdlog::logger> log =
      context.options.access_log ? context.options.access_log : spdlog::default_logger();
  router.Post(
      "/hooks/gitlab", {.access = Access::kPublic, .max_body = kWebhookMaxBody},
      [&app, log = std::move(log)](const Request& request) {
        const app::WebhookInput input{
            .token = request.Header("X-Gitlab-Token").value_or(""),
            .event = request.Header("X-Gitlab-Event").value_or(""),
            .event_uuid = request.Header("X-Gitlab-Event-UUID").value_or(""),
            .idempotency_key = request.Header("Idempotency-Key").value_or(""),
            .body = request.body};
        // Token first: an unauthenticated caller learns nothing about the body rules and
        // cannot make us parse its body. (ReceiveWebhook checks it again on the secret this
        // check left in memory: no second read.)
        if (auto token = app.gitlab().CheckWebhookToken(input.token); !token) {
          return ErrorResponse(token.error());
        }
        // One allocation-free pass on the way to a 202; nlohmann only names what is wrong.
        if (CheckJson(request.body, kMaxJsonDepth) != JsonCheck::kValid) {
          // What is wrong, named (nesting, UTF-8, the byte); an object is expected.
          auto parsed = ParseJsonObject(request.body);
          return Problem(
              400, "invalid_json",
              parsed ? "the body is not valid JSON" : "the body " + parsed.error().message, "body");
        }
        auto received = app.gitlab().ReceiveWebhook(input);
        if (!received) {
          if (received.error().code == ErrorCode::kInvalidArgument) {
            return Problem(400, "invalid_webhook", received.error().message,
                           received.error().field);
          }
          return ErrorResponse(received.error());
        }
        const char* outcome = *received == app::WebhookOutcome::kStored      ? "stored"
                              : *received == app::WebhookOutcome::kDuplicate ? "duplicate"
                                                                             : "ignored";
        log->info("webhook {} event={} bytes={}", outcome, input.event, request.body.size());
        return JsonResponse(202, {{"status", outcome}});
      });
}

}  // namespace worklog::http::routes_webhook

// POST /hooks/gitlab: check the secret token, store the raw delivery, answer.
#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/gitlab_app.h"

namespace worklog::app {
namespace {

// The events worklog subscribes to (and their confidential variants): stored for the
// workers. Other GitLab events are acknowledged and dropped.
constexpr std::array<std::string_view, 7> kIngested = {
    "Push Hook",          "Tag Push Hook",          "Issue Hook", "Confidential Issue Hook",
    "Merge Request Hook", "Confidential Note Hook", "Note Hook"};

}  // namespace

Result<WebhookOutcome> GitlabApp::ReceiveWebhook(const WebhookInput& input) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->status == store::OrgStatus::kDisconnected ||
      integration->hook_secret_sealed.empty()) {
    return Unauthenticated("no GitLab organization is connected");
  }
  auto secret = secrets_->Open(integration->hook_secret_sealed);
  if (!secret) {
    return Internal("the stored webhook secret cannot be decrypted");
  }
  if (input.token.empty() || !ConstantTimeEquals(input.token, *secret)) {
    return Unauthenticated("the X-Gitlab-Token header does not match");
  }
  if (input.event.empty()) {
    return InvalidArgument("X-Gitlab-Event", "the X-Gitlab-Event header is missing");
  }
  if (std::find(kIngested.begin(), kIngested.end(), input.event) == kIngested.end()) {
    if (input.event.ends_with(" Hook")) {
      return WebhookOutcome::kIgnored;
    }
    return InvalidArgument(
        "X-Gitlab-Event",
        fmt::format("\"{}\" is not a GitLab webhook event",
                    input.event.substr(0, std::min<std::size_t>(input.event.size(), 64))));
  }
  std::string delivery_id;
  if (!input.idempotency_key.empty()) {
    delivery_id = fmt::format("idempotency:{}", input.idempotency_key.substr(0, 200));
  } else if (!input.event_uuid.empty()) {
    delivery_id = fmt::format("uuid:{}", input.event_uuid.substr(0, 200));
  } else {
    delivery_id = fmt::format("sha256:{}", Sha256Hex(input.body));
  }
  auto stored = store_.Inbox().Insert(delivery_id, input.event, input.body, clock_.Now());
  if (!stored) {
    return tl::unexpected(stored.error());
  }
  if (*stored == store::InboxInsertResult::kDuplicate) {
    return WebhookOutcome::kDuplicate;
  }
  sync_->Wake();
  return WebhookOutcome::kStored;
}

}  // namespace worklog::app

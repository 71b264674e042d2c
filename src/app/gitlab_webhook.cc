// POST /hooks/gitlab: check the secret token, store the raw delivery, answer.
#include <algorithm>
#include <array>
#include <chrono>
#include <mutex>

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

void GitlabApp::ForgetHookSecret() {
  std::lock_guard lock(hook_secret_mutex_);
  hook_secret_ = HookSecret{};
  ++hook_secret_epoch_;
}

Status GitlabApp::CheckWebhookToken(std::string_view token) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return enabled;
  }
  const auto now = std::chrono::steady_clock::now();
  uint64_t epoch = 0;
  {
    std::lock_guard lock(hook_secret_mutex_);
    if (hook_secret_.connected && now - hook_secret_.read_at < kHookSecretFresh && !token.empty() &&
        ConstantTimeEquals(token, hook_secret_.secret)) {
      return {};
    }
    epoch = hook_secret_epoch_;
  }
  // Not accepted on the copy: decided on the row as it is now.
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  HookSecret fresh{.connected = integration->status != store::OrgStatus::kDisconnected &&
                                !integration->hook_secret_sealed.empty(),
                   .secret = {},
                   .read_at = now};
  if (fresh.connected) {
    auto secret = secrets_ ? secrets_->Open(integration->hook_secret_sealed)
                           : Result<std::string>(Internal("no secret key"));
    if (!secret) {
      return Internal("the stored webhook secret cannot be decrypted");
    }
    fresh.secret = std::move(*secret);
  }
  const bool connected = fresh.connected;
  const bool matches = connected && !token.empty() && ConstantTimeEquals(token, fresh.secret);
  {
    std::lock_guard lock(hook_secret_mutex_);
    if (hook_secret_epoch_ == epoch) {  // no disconnect on this node since the read
      hook_secret_ = std::move(fresh);
    }
  }
  if (!connected) {
    return Unauthenticated("no GitLab organization is connected");
  }
  if (!matches) {
    return Unauthenticated("the X-Gitlab-Token header does not match");
  }
  return {};
}

Result<WebhookOutcome> GitlabApp::ReceiveWebhook(const WebhookInput& input) {
  if (auto token = CheckWebhookToken(input.token); !token) {
    return tl::unexpected(token.error());
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
  sync_->WakeInbox();
  return WebhookOutcome::kStored;
}

}  // namespace worklog::app

// Staff ⇄ GitLab users: the administrator connects staff by e-mail, a user connects
// themself through their own GitLab consent.
#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/gitlab_app.h"
#include "gitlab/client.h"
#include "gitlab/oauth.h"

namespace worklog::app {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// The user-flow scope: /user and /user/emails only.
constexpr std::string_view kUserScopes = "read_user";

}  // namespace

Result<GitlabLinkView> GitlabApp::ViewOf(const store::GitlabIdentity& identity) {
  GitlabLinkView view;
  view.identity = identity;
  view.self = identity.connected_by == identity.user_id;
  if (!view.self) {
    if (auto admin = store_.Users().Get(identity.connected_by)) {
      view.connected_by = std::move(*admin);
    }
  }
  return view;
}

Result<std::optional<GitlabLinkView>> GitlabApp::LinkOf(int64_t user_id) {
  if (!options_.enabled) {
    return std::optional<GitlabLinkView>();
  }
  auto identity = store_.GitlabOrg().GetIdentity(user_id);
  if (!identity) {
    return tl::unexpected(identity.error());
  }
  if (!*identity) {
    return std::optional<GitlabLinkView>();
  }
  auto view = ViewOf(**identity);
  if (!view) {
    return tl::unexpected(view.error());
  }
  return std::optional<GitlabLinkView>(std::move(*view));
}

Result<std::vector<StaffMember>> GitlabApp::Staff() {
  auto users = store_.Users().List();
  if (!users) {
    return tl::unexpected(users.error());
  }
  std::vector<store::GitlabIdentity> identities;
  if (options_.enabled) {
    auto listed = store_.GitlabOrg().ListIdentities();
    if (!listed) {
      return tl::unexpected(listed.error());
    }
    identities = std::move(*listed);
  }
  std::vector<StaffMember> staff;
  staff.reserve(users->size());
  for (auto& user : *users) {
    StaffMember member;
    member.user = std::move(user);
    const auto found = std::find_if(identities.begin(), identities.end(),
                                    [&](const auto& i) { return i.user_id == member.user.id; });
    if (found != identities.end()) {
      GitlabLinkView view;
      view.identity = *found;
      view.self = found->connected_by == found->user_id;
      if (!view.self) {
        const auto admin = std::find_if(users->begin(), users->end(),
                                        [&](const auto& u) { return u.id == found->connected_by; });
        if (admin != users->end() && !admin->email.empty()) {
          view.connected_by = *admin;
        } else if (auto fetched = store_.Users().Get(found->connected_by)) {
          view.connected_by = std::move(*fetched);
        }
      }
      member.gitlab = std::move(view);
    }
    staff.push_back(std::move(member));
  }
  return staff;
}

Result<StaffMember> GitlabApp::AddStaff(const Principal& caller, const AddUserInput& input) {
  AddUserInput without_password = input;
  without_password.password.reset();
  auto user = accounts_.AddUser(without_password);
  if (!user) {
    return tl::unexpected(user.error());
  }
  RecordAudit(caller.user.id, "staff.add", fmt::format("user:{}", user->id),
              fmt::format("added {} ({})", user->email, domain::RoleName(user->role)));
  return StaffMember{.user = std::move(*user), .gitlab = std::nullopt};
}

Result<std::vector<GitlabCandidate>> GitlabApp::Candidates(
    gitlab::Client& client, const store::GitlabIntegration& integration, const std::string& email) {
  std::vector<GitlabCandidate> out;
  const auto add = [&out](GitlabCandidate candidate) {
    const auto known =
        std::find_if(out.begin(), out.end(), [&](const auto& c) { return c.id == candidate.id; });
    if (known == out.end()) {
      out.push_back(std::move(candidate));
    } else if (known->username.empty()) {
      known->username = candidate.username;
      known->web_url = candidate.web_url;
    }
  };
  // GET /users?search=<full e-mail>: GitLab matches a public e-mail given in full, and for
  // an administrator's token private e-mails too. The search also matches names and
  // usernames loosely, so a result that shows e-mails must show this one.
  auto found = client.SearchUsers(email);
  if (!found) {
    return tl::unexpected(found.error());
  }
  for (const auto& user : *found) {
    const std::string public_email = Lower(user.public_email);
    const std::string private_email = Lower(user.email);
    std::string matched_by;
    if (public_email == email) {
      matched_by = "public_email";
    } else if (private_email == email) {
      matched_by = "email";
    } else if (public_email.empty() && private_email.empty() && Lower(user.username) != email &&
               Lower(user.name).find(email) == std::string::npos) {
      // GitLab hides e-mails from regular tokens; it matched the address itself.
      matched_by = integration.gitlab_is_admin ? "email" : "public_email";
    } else {
      continue;
    }
    if (user.state == "blocked") {
      continue;
    }
    add({.id = user.id,
         .username = user.username,
         .name = user.name,
         .web_url = user.web_url,
         .matched_by = matched_by});
  }
  // Commit author e-mails GitLab tied to the account that pushed them.
  auto sightings = store_.GitlabOrg().FindEmailSightings(email);
  if (!sightings) {
    return tl::unexpected(sightings.error());
  }
  for (const auto& sighting : *sightings) {
    add({.id = sighting.gitlab_user_id,
         .username = sighting.username,
         .name = sighting.name,
         .web_url = "",
         .matched_by = "commit_email"});
  }
  return out;
}

Result<std::vector<StaffConnectResult>> GitlabApp::ConnectStaff(
    const Principal& caller, const std::vector<int64_t>& user_ids,
    const std::map<int64_t, int64_t>& choices) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  auto session = org_->Open();
  if (!session) {
    return tl::unexpected(session.error());
  }
  auto identities = store_.GitlabOrg().ListIdentities();
  if (!identities) {
    return tl::unexpected(identities.error());
  }
  std::vector<StaffConnectResult> results;
  for (int64_t user_id : user_ids) {
    StaffConnectResult result;
    result.user_id = user_id;
    auto user = store_.Users().Get(user_id);
    if (!user) {
      if (user.error().code != ErrorCode::kNotFound) {
        return tl::unexpected(user.error());
      }
      result.result = "not_found";
      result.detail = "no such user";
      results.push_back(std::move(result));
      continue;
    }
    const auto linked = std::find_if(identities->begin(), identities->end(),
                                     [&](const auto& i) { return i.user_id == user_id; });
    if (linked != identities->end()) {
      result.result = "connected";
      result.gitlab_username = linked->username;
      result.detail = "already connected";
      results.push_back(std::move(result));
      continue;
    }
    auto candidates = Candidates(*session->client, session->integration, user->email);
    if (!candidates) {
      return tl::unexpected(candidates.error());
    }
    // A GitLab user already linked to someone else is not a candidate.
    std::erase_if(*candidates, [&](const GitlabCandidate& c) {
      return std::any_of(identities->begin(), identities->end(), [&](const auto& i) {
        return i.gitlab_user_id == c.id && i.user_id != user_id;
      });
    });
    std::optional<GitlabCandidate> chosen;
    if (const auto choice = choices.find(user_id); choice != choices.end()) {
      const auto match = std::find_if(candidates->begin(), candidates->end(),
                                      [&](const auto& c) { return c.id == choice->second; });
      if (match == candidates->end()) {
        result.result = "no_match";
        result.detail =
            fmt::format("GitLab user {} does not match {}", choice->second, user->email);
        result.candidates = std::move(*candidates);
        results.push_back(std::move(result));
        continue;
      }
      chosen = *match;
    } else if (candidates->size() == 1) {
      chosen = candidates->front();
    }
    if (!chosen) {
      if (candidates->empty()) {
        result.result = "no_match";
        result.detail = fmt::format(
            "no GitLab user visible to the connecting account has the e-mail {}", user->email);
      } else {
        result.result = "ambiguous";
        result.detail =
            fmt::format("{} GitLab users match {}; choose one", candidates->size(), user->email);
        result.candidates = std::move(*candidates);
      }
      results.push_back(std::move(result));
      continue;
    }
    store::GitlabIdentity identity;
    identity.user_id = user_id;
    identity.gitlab_user_id = chosen->id;
    identity.username = chosen->username;
    identity.emails = {user->email};
    identity.connected_by = caller.user.id;
    identity.connected_at = clock_.Now();
    auto stored = store_.GitlabOrg().LinkIdentity(identity);
    if (!stored) {
      if (stored.error().code != ErrorCode::kConflict) {
        return tl::unexpected(stored.error());
      }
      result.result = "conflict";
      result.detail = stored.error().message;
      results.push_back(std::move(result));
      continue;
    }
    identities->push_back(*stored);
    RecordAudit(caller.user.id, "gitlab.user.connect", fmt::format("user:{}", user_id),
                fmt::format("connected {} to GitLab user {} (id {}) by {}", user->email,
                            chosen->username, chosen->id, chosen->matched_by));
    result.result = "connected";
    result.gitlab_username = chosen->username;
    results.push_back(std::move(result));
  }
  return results;
}

Result<std::vector<StaffConnectResult>> GitlabApp::DisconnectStaff(
    const Principal& caller, const std::vector<int64_t>& user_ids) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  std::vector<StaffConnectResult> results;
  for (int64_t user_id : user_ids) {
    StaffConnectResult result;
    result.user_id = user_id;
    auto identity = store_.GitlabOrg().GetIdentity(user_id);
    if (!identity) {
      return tl::unexpected(identity.error());
    }
    if (!*identity) {
      result.result = "not_connected";
      results.push_back(std::move(result));
      continue;
    }
    if (auto removed = store_.GitlabOrg().UnlinkIdentity(user_id);
        !removed && removed.error().code != ErrorCode::kNotFound) {
      return tl::unexpected(removed.error());
    }
    RecordAudit(caller.user.id, "gitlab.user.disconnect", fmt::format("user:{}", user_id),
                fmt::format("disconnected from GitLab user {}", (*identity)->username));
    result.result = "disconnected";
    result.gitlab_username = (*identity)->username;
    results.push_back(std::move(result));
  }
  return results;
}

Result<std::string> GitlabApp::BeginSelfConnect(const Principal& caller) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (!integration->installed || integration->status != store::OrgStatus::kConnected) {
    return Conflict("GitLab is not connected for the organization yet; ask an administrator");
  }
  auto app = org_->AppOf(*integration);
  if (!app) {
    return tl::unexpected(app.error());
  }
  return StartAuthorization(caller, store::OAuthFlow::kUser, *app, integration->generation,
                            kUserScopes);
}

Result<CallbackRedirect> GitlabApp::FinishUser(const Principal& caller,
                                               const store::OAuthState& state,
                                               std::string_view code) {
  const std::string_view page = kMyWorkPage;
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->status != store::OrgStatus::kConnected ||
      integration->generation != state.generation) {
    return Failed(page, "organization_changed",
                  "the organization's GitLab connection changed meanwhile; start again");
  }
  auto exchanged = ExchangeCallbackCode(state, code, page);
  if (!exchanged) {
    return exchanged.error();
  }
  const gitlab::OAuthClient& oauth = exchanged->oauth;
  const gitlab::TokenSet& tokens = exchanged->tokens;
  gitlab::Client client = ClientFor(exchanged->base_url, tokens.access_token);
  auto me = client.CurrentUser();
  auto emails = me ? client.CurrentUserEmails() : Result<std::vector<gitlab::GitlabEmail>>({});
  // The user's token served only to read who they are: give it back at once.
  const Status revoked_access = oauth.Revoke(tokens.access_token);
  const Status revoked_refresh = oauth.Revoke(tokens.refresh_token);
  if (!revoked_access || !revoked_refresh) {
    spdlog::warn("revoking a user's GitLab token failed; it expires within 2 hours");
  }
  if (!me) {
    return Failed(page, "gitlab_error", me.error().message);
  }
  std::vector<std::string> verified;
  const auto add = [&verified](std::string_view email) {
    std::string lowered = Lower(email);
    if (!lowered.empty() && lowered.find('@') != std::string::npos &&
        std::find(verified.begin(), verified.end(), lowered) == verified.end()) {
      verified.push_back(std::move(lowered));
    }
  };
  add(me->email);
  add(me->commit_email);
  add(me->public_email);
  if (emails) {
    for (const auto& email : *emails) {
      if (email.confirmed) {
        add(email.email);
      }
    }
  }
  store::GitlabIdentity identity;
  identity.user_id = caller.user.id;
  identity.gitlab_user_id = me->id;
  identity.username = me->username;
  identity.emails = std::move(verified);
  identity.connected_by = caller.user.id;
  identity.connected_at = clock_.Now();
  auto linked = store_.GitlabOrg().LinkIdentity(identity);
  if (!linked) {
    if (linked.error().code == ErrorCode::kConflict) {
      return Failed(page, "already_linked", linked.error().message);
    }
    return tl::unexpected(linked.error());
  }
  RecordAudit(caller.user.id, "gitlab.user.connect", fmt::format("user:{}", caller.user.id),
              fmt::format("connected themself as GitLab user {} (id {})", me->username, me->id));
  return CallbackRedirect{std::string(page) + "?connected=1"};
}

Status GitlabApp::DisconnectSelf(const Principal& caller) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return enabled;
  }
  auto identity = store_.GitlabOrg().GetIdentity(caller.user.id);
  if (!identity) {
    return tl::unexpected(identity.error());
  }
  if (!*identity) {
    return NotFound("you are not connected to GitLab");
  }
  if (auto removed = store_.GitlabOrg().UnlinkIdentity(caller.user.id); !removed) {
    return removed;
  }
  RecordAudit(caller.user.id, "gitlab.user.disconnect", fmt::format("user:{}", caller.user.id),
              fmt::format("disconnected themself from GitLab user {}", (*identity)->username));
  return {};
}

}  // namespace worklog::app

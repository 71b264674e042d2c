// The GitLab integration tables on PostgreSQL (store/gitlab_org.h).
#include "store/postgres/pg_org.h"

#include <set>

#include <fmt/format.h>

#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

#define INTEGRATION_COLUMNS                                                               \
  "installed, installed_at_us, installed_by, status, generation, base_url, client_id,"    \
  " client_secret_sealed, redirect_uri, access_token_sealed, refresh_token_sealed,"       \
  " token_expires_at_us, gitlab_user_id, gitlab_username, gitlab_is_admin, connected_by," \
  " connected_at_us, last_error, hook_secret_sealed"

#define PROJECT_COLUMNS                                                               \
  "project_id, path_with_namespace, web_url, monitored, owned, hook_id, hook_status," \
  " hook_error, cursor_event_id, cursor_at_us, backfilled, last_polled_at_us,"        \
  " discovered_at_us"

#define STATE_COLUMNS                                                                 \
  "state_hash, flow, user_id, session_id_hash, verifier_sealed, base_url, client_id," \
  " client_secret_sealed, redirect_uri, generation, created_at_us, expires_at_us"

#define IDENTITY_COLUMNS \
  "user_id, gitlab_user_id, username, emails::text, connected_by, connected_at_us"

#define AUDIT_COLUMNS "id, at_us, actor_user_id, action, target, detail"

constexpr std::string_view kSelectIntegration =
    "SELECT " INTEGRATION_COLUMNS " FROM gitlab_integration WHERE id = 1";

constexpr std::string_view kSelectIntegrationForUpdate =
    "SELECT " INTEGRATION_COLUMNS " FROM gitlab_integration WHERE id = 1 FOR UPDATE";

constexpr std::string_view kInstall =
    "UPDATE gitlab_integration SET installed = true, installed_at_us = $1, installed_by = $2"
    " WHERE id = 1";

constexpr std::string_view kUninstall =
    "UPDATE gitlab_integration SET installed = false, installed_at_us = NULL,"
    " installed_by = NULL WHERE id = 1";

constexpr std::string_view kConnect =
    "UPDATE gitlab_integration SET status = 'connected', generation = generation + 1,"
    " base_url = $1, client_id = $2, client_secret_sealed = $3, redirect_uri = $4,"
    " access_token_sealed = $5, refresh_token_sealed = $6, token_expires_at_us = $7,"
    " gitlab_user_id = $8, gitlab_username = $9, gitlab_is_admin = $10, connected_by = $11,"
    " connected_at_us = $12, last_error = '', hook_secret_sealed = $13"
    " WHERE id = 1 AND installed"
    " RETURNING " INTEGRATION_COLUMNS;

constexpr std::string_view kStoreTokens =
    "UPDATE gitlab_integration SET access_token_sealed = $2, refresh_token_sealed = $3,"
    " token_expires_at_us = $4"
    " WHERE id = 1 AND generation = $1 AND status <> 'disconnected'";

constexpr std::string_view kSetStatus =
    "UPDATE gitlab_integration SET status = $2, last_error = $3"
    " WHERE id = 1 AND generation = $1 AND status <> 'disconnected'";

constexpr std::string_view kDisconnect =
    "UPDATE gitlab_integration SET status = 'disconnected', generation = generation + 1,"
    " base_url = '', client_id = '', client_secret_sealed = '', redirect_uri = '',"
    " access_token_sealed = '', refresh_token_sealed = '', token_expires_at_us = 0,"
    " gitlab_user_id = 0, gitlab_username = '', gitlab_is_admin = false, connected_by = NULL,"
    " connected_at_us = 0, last_error = '', hook_secret_sealed = ''"
    " WHERE id = 1";

constexpr std::string_view kDeleteProjects = "DELETE FROM gitlab_projects";
constexpr std::string_view kDeleteIdentities = "DELETE FROM gitlab_identities";
constexpr std::string_view kDeleteSightings = "DELETE FROM gitlab_email_sightings";
constexpr std::string_view kDeleteStates = "DELETE FROM gitlab_oauth_states";

constexpr std::string_view kDeleteExpiredStates =
    "DELETE FROM gitlab_oauth_states WHERE expires_at_us <= $1";

constexpr std::string_view kInsertState =
    "INSERT INTO gitlab_oauth_states (" STATE_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

constexpr std::string_view kConsumeState =
    "DELETE FROM gitlab_oauth_states WHERE state_hash = $1 RETURNING " STATE_COLUMNS;

constexpr std::string_view kSelectProjects =
    "SELECT " PROJECT_COLUMNS " FROM gitlab_projects ORDER BY path_with_namespace, project_id";

constexpr std::string_view kSelectProject =
    "SELECT " PROJECT_COLUMNS " FROM gitlab_projects WHERE project_id = $1";

constexpr std::string_view kUpsertProject =
    "INSERT INTO gitlab_projects (project_id, path_with_namespace, web_url, discovered_at_us)"
    " VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (project_id) DO UPDATE SET path_with_namespace = EXCLUDED.path_with_namespace,"
    " web_url = EXCLUDED.web_url, owned = true";

constexpr std::string_view kDisownProject =
    "UPDATE gitlab_projects SET owned = false WHERE project_id = $1";

constexpr std::string_view kSetMonitored =
    "UPDATE gitlab_projects SET monitored = $2 WHERE project_id = $1 RETURNING " PROJECT_COLUMNS;

constexpr std::string_view kSetHook =
    "UPDATE gitlab_projects SET hook_id = $3, hook_status = $4, hook_error = $5"
    " WHERE project_id = $2 AND EXISTS (SELECT 1 FROM gitlab_integration WHERE id = 1"
    " AND generation = $1 AND status <> 'disconnected')";

constexpr std::string_view kAdvanceCursor =
    "UPDATE gitlab_projects SET"
    " cursor_at_us = CASE WHEN $3 > cursor_event_id THEN $4 ELSE cursor_at_us END,"
    " cursor_event_id = GREATEST(cursor_event_id, $3),"
    " backfilled = backfilled OR $5, last_polled_at_us = $6"
    " WHERE project_id = $2 AND EXISTS (SELECT 1 FROM gitlab_integration WHERE id = 1"
    " AND generation = $1 AND status <> 'disconnected')";

constexpr std::string_view kSelectIdentityOwner =
    "SELECT user_id FROM gitlab_identities WHERE gitlab_user_id = $1";

constexpr std::string_view kUpsertIdentity =
    "INSERT INTO gitlab_identities (user_id, gitlab_user_id, username, emails, connected_by,"
    " connected_at_us) VALUES ($1, $2, $3, $4::jsonb, $5, $6)"
    " ON CONFLICT (user_id) DO UPDATE SET gitlab_user_id = EXCLUDED.gitlab_user_id,"
    " username = EXCLUDED.username, emails = EXCLUDED.emails,"
    " connected_by = EXCLUDED.connected_by, connected_at_us = EXCLUDED.connected_at_us"
    " RETURNING " IDENTITY_COLUMNS;

constexpr std::string_view kDeleteIdentity = "DELETE FROM gitlab_identities WHERE user_id = $1";

constexpr std::string_view kSelectIdentity =
    "SELECT " IDENTITY_COLUMNS " FROM gitlab_identities WHERE user_id = $1";

constexpr std::string_view kSelectIdentities =
    "SELECT " IDENTITY_COLUMNS " FROM gitlab_identities ORDER BY user_id";

constexpr std::string_view kUpsertSighting =
    "INSERT INTO gitlab_email_sightings (email, gitlab_user_id, username, name, seen_at_us)"
    " VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (email, gitlab_user_id) DO UPDATE SET username = EXCLUDED.username,"
    " name = EXCLUDED.name,"
    " seen_at_us = GREATEST(gitlab_email_sightings.seen_at_us, EXCLUDED.seen_at_us)";

constexpr std::string_view kSelectSightings =
    "SELECT email, gitlab_user_id, username, name, seen_at_us FROM gitlab_email_sightings"
    " WHERE email = $1 ORDER BY gitlab_user_id";

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (at_us, actor_user_id, action, target, detail)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING " AUDIT_COLUMNS;

constexpr std::string_view kSelectAudit =
    "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY id DESC LIMIT $1";

#undef INTEGRATION_COLUMNS
#undef PROJECT_COLUMNS
#undef STATE_COLUMNS
#undef IDENTITY_COLUMNS
#undef AUDIT_COLUMNS

constexpr std::string_view kStaleGeneration =
    "the GitLab organization was disconnected or reconnected meanwhile";

std::optional<TimePoint> OptionalTime(const Rows& rows, int row, int column) {
  if (auto us = rows.OptionalInt(row, column)) {
    return FromMicros(*us);
  }
  return std::nullopt;
}

Result<GitlabIntegration> ReadIntegration(const Rows& rows, int row) {
  GitlabIntegration out;
  out.installed = rows.Bool(row, 0);
  out.installed_at = OptionalTime(rows, row, 1);
  out.installed_by = rows.OptionalInt(row, 2);
  auto status = ParseOrgStatus(rows.Text(row, 3));
  if (!status) {
    return tl::unexpected(status.error());
  }
  out.status = *status;
  out.generation = rows.Int(row, 4);
  out.base_url = rows.Text(row, 5);
  out.client_id = rows.Text(row, 6);
  out.client_secret_sealed = rows.Text(row, 7);
  out.redirect_uri = rows.Text(row, 8);
  out.access_token_sealed = rows.Text(row, 9);
  out.refresh_token_sealed = rows.Text(row, 10);
  out.token_expires_at = FromMicros(rows.Int(row, 11));
  out.gitlab_user_id = rows.Int(row, 12);
  out.gitlab_username = rows.Text(row, 13);
  out.gitlab_is_admin = rows.Bool(row, 14);
  out.connected_by = rows.OptionalInt(row, 15);
  out.connected_at = FromMicros(rows.Int(row, 16));
  out.last_error = rows.Text(row, 17);
  out.hook_secret_sealed = rows.Text(row, 18);
  return out;
}

Result<GitlabProject> ReadProject(const Rows& rows, int row) {
  GitlabProject out;
  out.id = rows.Int(row, 0);
  out.path_with_namespace = rows.Text(row, 1);
  out.web_url = rows.Text(row, 2);
  out.monitored = rows.Bool(row, 3);
  out.owned = rows.Bool(row, 4);
  out.hook_id = rows.OptionalInt(row, 5);
  auto status = ParseHookStatus(rows.Text(row, 6));
  if (!status) {
    return tl::unexpected(status.error());
  }
  out.hook_status = *status;
  out.hook_error = rows.Text(row, 7);
  out.cursor_event_id = rows.Int(row, 8);
  out.cursor_at = FromMicros(rows.Int(row, 9));
  out.backfilled = rows.Bool(row, 10);
  out.last_polled_at = FromMicros(rows.Int(row, 11));
  out.discovered_at = FromMicros(rows.Int(row, 12));
  return out;
}

Result<OAuthState> ReadState(const Rows& rows, int row) {
  OAuthState out;
  out.state_hash = rows.Text(row, 0);
  out.flow = rows.Text(row, 1) == "user" ? OAuthFlow::kUser : OAuthFlow::kOrganization;
  out.user_id = rows.Int(row, 2);
  out.session_id_hash = rows.Text(row, 3);
  out.verifier_sealed = rows.Text(row, 4);
  out.base_url = rows.Text(row, 5);
  out.client_id = rows.Text(row, 6);
  out.client_secret_sealed = rows.Text(row, 7);
  out.redirect_uri = rows.Text(row, 8);
  out.generation = rows.Int(row, 9);
  out.created_at = FromMicros(rows.Int(row, 10));
  out.expires_at = FromMicros(rows.Int(row, 11));
  return out;
}

Result<GitlabIdentity> ReadIdentity(const Rows& rows, int row) {
  GitlabIdentity out;
  out.user_id = rows.Int(row, 0);
  out.gitlab_user_id = rows.Int(row, 1);
  out.username = rows.Text(row, 2);
  auto emails = DecodeStringArray(rows.Text(row, 3));
  if (!emails) {
    return tl::unexpected(emails.error());
  }
  out.emails = std::move(*emails);
  out.connected_by = rows.Int(row, 4);
  out.connected_at = FromMicros(rows.Int(row, 5));
  return out;
}

Result<EmailSighting> ReadSighting(const Rows& rows, int row) {
  return EmailSighting{.email = rows.Text(row, 0),
                       .gitlab_user_id = rows.Int(row, 1),
                       .username = rows.Text(row, 2),
                       .name = rows.Text(row, 3),
                       .seen_at = FromMicros(rows.Int(row, 4))};
}

Result<AuditEntry> ReadAudit(const Rows& rows, int row) {
  return AuditEntry{.id = rows.Int(row, 0),
                    .at = FromMicros(rows.Int(row, 1)),
                    .actor_user_id = rows.OptionalInt(row, 2),
                    .action = rows.Text(row, 3),
                    .target = rows.Text(row, 4),
                    .detail = rows.Text(row, 5)};
}

#define FEED_SETTINGS_COLUMNS                                                         \
  "max_gap_minutes, lead_in_minutes, rounding_minutes, hours_per_day, days_per_week," \
  " updated_by, updated_at_us"

constexpr std::string_view kSelectFeedSettings =
    "SELECT " FEED_SETTINGS_COLUMNS " FROM feed_settings WHERE id = 1";

constexpr std::string_view kUpdateFeedSettings =
    "UPDATE feed_settings SET max_gap_minutes = $1, lead_in_minutes = $2, rounding_minutes = $3,"
    " hours_per_day = $4, days_per_week = $5, updated_by = $6, updated_at_us = $7"
    " WHERE id = 1 RETURNING " FEED_SETTINGS_COLUMNS;

#undef FEED_SETTINGS_COLUMNS

Result<FeedSettings> ReadFeedSettings(const Rows& rows, int row) {
  FeedSettings settings;
  settings.max_gap_minutes = rows.Int(row, 0);
  settings.lead_in_minutes = rows.Int(row, 1);
  settings.rounding_minutes = rows.Int(row, 2);
  settings.hours_per_day = rows.Int(row, 3);
  settings.days_per_week = rows.Int(row, 4);
  settings.updated_by = rows.OptionalInt(row, 5);
  settings.updated_at = FromMicros(rows.Int(row, 6));
  return settings;
}

template <typename Reader>
auto One(Result<Rows> rows, std::string_view what, Reader read) -> decltype(read(*rows, 0)) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->empty()) {
    return NotFound(std::string(what));
  }
  return read(*rows, 0);
}

template <typename T, typename Reader>
Result<std::vector<T>> All(Result<Rows> rows, Reader read) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    auto item = read(*rows, i);
    if (!item) {
      return tl::unexpected(item.error());
    }
    out.push_back(std::move(*item));
  }
  return out;
}

Status ChangedOne(const Result<Rows>& rows, std::string_view message) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->Affected() == 0) {
    return Conflict(std::string(message));
  }
  return {};
}

Status Done(const Result<Rows>& rows) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return {};
}

// Runs `fn(db)` inside BEGIN ... COMMIT; commits only when it succeeded.
template <typename Fn>
auto InTransaction(Connection& db, Fn&& fn) -> std::invoke_result_t<Fn&> {
  auto transaction = Transaction::Begin(db);
  if (!transaction) {
    return tl::unexpected(transaction.error());
  }
  auto result = fn();
  if (!result) {
    return result;
  }
  if (auto committed = transaction->Commit(); !committed) {
    return tl::unexpected(committed.error());
  }
  return result;
}

}  // namespace

Result<GitlabIntegration> PgGitlabOrg::Get() {
  return store_.pool().Run([&](Connection& db) {
    return One(db.Exec(kSelectIntegration), "the GitLab integration row is missing",
               ReadIntegration);
  });
}

Status PgGitlabOrg::SetInstalled(bool installed, std::optional<int64_t> by) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) -> Status {
    if (installed) {
      return ChangedOne(db.Exec(kInstall, Params().Add(now).Add(by)),
                        "the GitLab integration row is missing");
    }
    return ChangedOne(db.Exec(kUninstall), "the GitLab integration row is missing");
  });
}

Result<GitlabIntegration> PgGitlabOrg::Connect(const OrgConnection& c) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run(
      [&](Connection& db) -> Result<GitlabIntegration> {
        return InTransaction(db, [&]() -> Result<GitlabIntegration> {
          for (std::string_view sql : {kDeleteProjects, kDeleteIdentities, kDeleteSightings}) {
            if (auto done = Done(db.Exec(sql)); !done) {
              return tl::unexpected(done.error());
            }
          }
          auto connected = One(db.Exec(kConnect, Params()
                                                     .Add(c.base_url)
                                                     .Add(c.client_id)
                                                     .Add(c.client_secret_sealed)
                                                     .Add(c.redirect_uri)
                                                     .Add(c.access_token_sealed)
                                                     .Add(c.refresh_token_sealed)
                                                     .Add(ToMicros(c.token_expires_at))
                                                     .Add(c.gitlab_user_id)
                                                     .Add(c.gitlab_username)
                                                     .Add(c.gitlab_is_admin)
                                                     .Add(c.connected_by)
                                                     .Add(now)
                                                     .Add(c.hook_secret_sealed)),
                               "", ReadIntegration);
          if (!connected && connected.error().code == ErrorCode::kNotFound) {
            return Conflict("install the GitLab app before connecting the organization");
          }
          return connected;
        });
      },
      /*retry_on_lost_connection=*/false);
}

Status PgGitlabOrg::StoreTokens(int64_t generation, std::string_view access_token_sealed,
                                std::string_view refresh_token_sealed, TimePoint expires_at) {
  return store_.pool().Run([&](Connection& db) {
    return ChangedOne(db.Exec(kStoreTokens, Params()
                                                .Add(generation)
                                                .Add(access_token_sealed)
                                                .Add(refresh_token_sealed)
                                                .Add(ToMicros(expires_at))),
                      kStaleGeneration);
  });
}

Status PgGitlabOrg::SetStatus(int64_t generation, OrgStatus status, std::string_view last_error) {
  return store_.pool().Run([&](Connection& db) {
    return ChangedOne(
        db.Exec(kSetStatus, Params().Add(generation).Add(OrgStatusName(status)).Add(last_error)),
        kStaleGeneration);
  });
}

Result<DisconnectedOrg> PgGitlabOrg::Disconnect() {
  return store_.pool().Run(
      [&](Connection& db) -> Result<DisconnectedOrg> {
        return InTransaction(db, [&]() -> Result<DisconnectedOrg> {
          DisconnectedOrg out;
          auto integration = One(db.Exec(kSelectIntegrationForUpdate),
                                 "the GitLab integration row is missing", ReadIntegration);
          if (!integration) {
            return tl::unexpected(integration.error());
          }
          out.integration = std::move(*integration);
          auto projects = All<GitlabProject>(db.Exec(kSelectProjects), ReadProject);
          if (!projects) {
            return tl::unexpected(projects.error());
          }
          out.projects = std::move(*projects);
          for (std::string_view sql :
               {kDeleteProjects, kDeleteIdentities, kDeleteSightings, kDeleteStates, kDisconnect}) {
            if (auto done = Done(db.Exec(sql)); !done) {
              return tl::unexpected(done.error());
            }
          }
          return out;
        });
      },
      /*retry_on_lost_connection=*/false);
}

Status PgGitlabOrg::CreateOAuthState(const OAuthState& s) {
  return store_.pool().Run([&](Connection& db) -> Status {
    if (auto done = Done(db.Exec(kDeleteExpiredStates, Params().Add(ToMicros(s.created_at))));
        !done) {
      return done;
    }
    return Done(db.Exec(kInsertState, Params()
                                          .Add(s.state_hash)
                                          .Add(s.flow == OAuthFlow::kUser ? "user" : "organization")
                                          .Add(s.user_id)
                                          .Add(s.session_id_hash)
                                          .Add(s.verifier_sealed)
                                          .Add(s.base_url)
                                          .Add(s.client_id)
                                          .Add(s.client_secret_sealed)
                                          .Add(s.redirect_uri)
                                          .Add(s.generation)
                                          .Add(ToMicros(s.created_at))
                                          .Add(ToMicros(s.expires_at))));
  });
}

Result<OAuthState> PgGitlabOrg::ConsumeOAuthState(std::string_view state_hash, TimePoint now) {
  auto consumed = store_.pool().Run(
      [&](Connection& db) {
        return One(db.Exec(kConsumeState, Params().Add(state_hash)),
                   "unknown or already used OAuth state", ReadState);
      },
      /*retry_on_lost_connection=*/false);
  if (consumed && consumed->expires_at <= now) {
    return NotFound("the GitLab authorization took too long; start again");
  }
  return consumed;
}

Result<std::vector<GitlabProject>> PgGitlabOrg::SyncProjects(
    int64_t generation, const std::vector<DiscoveredProject>& seen) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<GitlabProject>> {
    return InTransaction(db, [&]() -> Result<std::vector<GitlabProject>> {
      auto integration = One(db.Exec(kSelectIntegrationForUpdate),
                             "the GitLab integration row is missing", ReadIntegration);
      if (!integration) {
        return tl::unexpected(integration.error());
      }
      if (integration->generation != generation ||
          integration->status == OrgStatus::kDisconnected) {
        return Conflict(std::string(kStaleGeneration));
      }
      auto before = All<GitlabProject>(db.Exec(kSelectProjects), ReadProject);
      if (!before) {
        return tl::unexpected(before.error());
      }
      std::set<int64_t> known;
      for (const auto& project : *before) {
        known.insert(project.id);
      }
      std::set<int64_t> seen_ids;
      for (const auto& project : seen) {
        seen_ids.insert(project.id);
        if (auto done = Done(db.Exec(kUpsertProject, Params()
                                                         .Add(project.id)
                                                         .Add(project.path_with_namespace)
                                                         .Add(project.web_url)
                                                         .Add(now)));
            !done) {
          return tl::unexpected(done.error());
        }
      }
      for (int64_t id : known) {
        if (!seen_ids.contains(id)) {
          if (auto done = Done(db.Exec(kDisownProject, Params().Add(id))); !done) {
            return tl::unexpected(done.error());
          }
        }
      }
      std::vector<GitlabProject> added;
      for (int64_t id : seen_ids) {
        if (known.contains(id)) {
          continue;
        }
        auto project = One(db.Exec(kSelectProject, Params().Add(id)), "project", ReadProject);
        if (!project) {
          return tl::unexpected(project.error());
        }
        added.push_back(std::move(*project));
      }
      return added;
    });
  });
}

Result<std::vector<GitlabProject>> PgGitlabOrg::ListProjects() {
  return store_.pool().Run(
      [&](Connection& db) { return All<GitlabProject>(db.Exec(kSelectProjects), ReadProject); });
}

Result<GitlabProject> PgGitlabOrg::GetProject(int64_t project_id) {
  return store_.pool().Run([&](Connection& db) {
    return One(db.Exec(kSelectProject, Params().Add(project_id)),
               fmt::format("project {} not found", project_id), ReadProject);
  });
}

Result<GitlabProject> PgGitlabOrg::SetMonitored(int64_t project_id, bool monitored) {
  return store_.pool().Run([&](Connection& db) {
    return One(db.Exec(kSetMonitored, Params().Add(project_id).Add(monitored)),
               fmt::format("project {} not found", project_id), ReadProject);
  });
}

Status PgGitlabOrg::SetHook(int64_t generation, int64_t project_id, std::optional<int64_t> hook_id,
                            HookStatus status, std::string_view error) {
  return store_.pool().Run([&](Connection& db) {
    return ChangedOne(db.Exec(kSetHook, Params()
                                            .Add(generation)
                                            .Add(project_id)
                                            .Add(hook_id)
                                            .Add(HookStatusName(status))
                                            .Add(error)),
                      kStaleGeneration);
  });
}

Status PgGitlabOrg::AdvanceCursor(int64_t generation, int64_t project_id, int64_t event_id,
                                  TimePoint event_at, bool backfilled, TimePoint polled_at) {
  return store_.pool().Run([&](Connection& db) {
    return ChangedOne(db.Exec(kAdvanceCursor, Params()
                                                  .Add(generation)
                                                  .Add(project_id)
                                                  .Add(event_id)
                                                  .Add(ToMicros(event_at))
                                                  .Add(backfilled)
                                                  .Add(ToMicros(polled_at))),
                      kStaleGeneration);
  });
}

Result<GitlabIdentity> PgGitlabOrg::LinkIdentity(const GitlabIdentity& identity) {
  return store_.pool().Run(
      [&](Connection& db) -> Result<GitlabIdentity> {
        return InTransaction(db, [&]() -> Result<GitlabIdentity> {
          auto owner = db.Exec(kSelectIdentityOwner, Params().Add(identity.gitlab_user_id));
          if (!owner) {
            return tl::unexpected(owner.error());
          }
          if (!owner->empty() && owner->Int(0, 0) != identity.user_id) {
            return tl::unexpected(
                Error{ErrorCode::kConflict, "gitlab_user_id",
                      fmt::format("GitLab user {} is already connected to another user",
                                  identity.username)});
          }
          auto linked = One(db.Exec(kUpsertIdentity, Params()
                                                         .Add(identity.user_id)
                                                         .Add(identity.gitlab_user_id)
                                                         .Add(identity.username)
                                                         .Add(EncodeStringArray(identity.emails))
                                                         .Add(identity.connected_by)
                                                         .Add(ToMicros(identity.connected_at))),
                            "identity", ReadIdentity);
          if (!linked && linked.error().code == ErrorCode::kConflict) {
            return tl::unexpected(
                Error{ErrorCode::kConflict, "gitlab_user_id",
                      fmt::format("GitLab user {} is already connected to another user",
                                  identity.username)});
          }
          return linked;
        });
      },
      /*retry_on_lost_connection=*/false);
}

Status PgGitlabOrg::UnlinkIdentity(int64_t user_id) {
  return store_.pool().Run([&](Connection& db) -> Status {
    auto removed = db.Exec(kDeleteIdentity, Params().Add(user_id));
    if (!removed) {
      return tl::unexpected(removed.error());
    }
    if (removed->Affected() == 0) {
      return NotFound(fmt::format("user {} is not connected to GitLab", user_id));
    }
    return {};
  });
}

Result<std::optional<GitlabIdentity>> PgGitlabOrg::GetIdentity(int64_t user_id) {
  return store_.pool().Run([&](Connection& db) -> Result<std::optional<GitlabIdentity>> {
    auto all = All<GitlabIdentity>(db.Exec(kSelectIdentity, Params().Add(user_id)), ReadIdentity);
    if (!all) {
      return tl::unexpected(all.error());
    }
    if (all->empty()) {
      return std::optional<GitlabIdentity>();
    }
    return std::optional<GitlabIdentity>(std::move(all->front()));
  });
}

Result<std::vector<GitlabIdentity>> PgGitlabOrg::ListIdentities() {
  return store_.pool().Run([&](Connection& db) {
    return All<GitlabIdentity>(db.Exec(kSelectIdentities), ReadIdentity);
  });
}

Status PgGitlabOrg::RecordEmailSightings(const std::vector<EmailSighting>& sightings) {
  if (sightings.empty()) {
    return {};
  }
  return store_.pool().Run([&](Connection& db) -> Status {
    return InTransaction(db, [&]() -> Status {
      for (const auto& s : sightings) {
        if (auto done = Done(db.Exec(kUpsertSighting, Params()
                                                          .Add(s.email)
                                                          .Add(s.gitlab_user_id)
                                                          .Add(s.username)
                                                          .Add(s.name)
                                                          .Add(ToMicros(s.seen_at))));
            !done) {
          return done;
        }
      }
      return {};
    });
  });
}

Result<std::vector<EmailSighting>> PgGitlabOrg::FindEmailSightings(std::string_view email) {
  return store_.pool().Run([&](Connection& db) {
    return All<EmailSighting>(db.Exec(kSelectSightings, Params().Add(email)), ReadSighting);
  });
}

Result<AuditEntry> PgGitlabOrg::AppendAudit(const AuditEntry& entry) {
  return store_.pool().Run(
      [&](Connection& db) {
        return One(db.Exec(kInsertAudit, Params()
                                             .Add(ToMicros(entry.at))
                                             .Add(entry.actor_user_id)
                                             .Add(entry.action)
                                             .Add(entry.target)
                                             .Add(entry.detail)),
                   "audit entry", ReadAudit);
      },
      /*retry_on_lost_connection=*/false);
}

Result<FeedSettings> PgGitlabOrg::GetFeedSettings() {
  return store_.pool().Run([&](Connection& db) {
    return One(db.Exec(kSelectFeedSettings), "the feed settings row is missing", ReadFeedSettings);
  });
}

Result<FeedSettings> PgGitlabOrg::UpdateFeedSettings(const FeedSettings& settings) {
  const int64_t now = ToMicros(store_.clock().Now());
  // Replaces every value: a repeat after a lost connection does the same.
  return store_.pool().Run(
      [&](Connection& db) {
        return One(db.Exec(kUpdateFeedSettings, Params()
                                                    .Add(settings.max_gap_minutes)
                                                    .Add(settings.lead_in_minutes)
                                                    .Add(settings.rounding_minutes)
                                                    .Add(settings.hours_per_day)
                                                    .Add(settings.days_per_week)
                                                    .Add(settings.updated_by)
                                                    .Add(now)),
                   "the feed settings row is missing", ReadFeedSettings);
      },
      true);
}

Result<std::vector<AuditEntry>> PgGitlabOrg::ListAudit(int limit) {
  return store_.pool().Run([&](Connection& db) {
    return All<AuditEntry>(db.Exec(kSelectAudit, Params().Add(int64_t{limit})), ReadAudit);
  });
}

}  // namespace worklog::store::postgres

// The GitLab integration tables on SQLite (store/gitlab_org.h).
#include "store/sqlite/sqlite_org.h"

#include <set>

#include <fmt/format.h>

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
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

#define IDENTITY_COLUMNS "user_id, gitlab_user_id, username, emails, connected_by, connected_at_us"

#define AUDIT_COLUMNS "id, at_us, actor_user_id, action, target, detail"

constexpr std::string_view kSelectIntegration =
    "SELECT " INTEGRATION_COLUMNS " FROM gitlab_integration WHERE id = 1";

constexpr std::string_view kInstall =
    "UPDATE gitlab_integration SET installed = 1, installed_at_us = ?1, installed_by = ?2"
    " WHERE id = 1";

constexpr std::string_view kUninstall =
    "UPDATE gitlab_integration SET installed = 0, installed_at_us = NULL, installed_by = NULL"
    " WHERE id = 1";

constexpr std::string_view kConnect =
    "UPDATE gitlab_integration SET status = 'connected', generation = generation + 1,"
    " base_url = ?1, client_id = ?2, client_secret_sealed = ?3, redirect_uri = ?4,"
    " access_token_sealed = ?5, refresh_token_sealed = ?6, token_expires_at_us = ?7,"
    " gitlab_user_id = ?8, gitlab_username = ?9, gitlab_is_admin = ?10, connected_by = ?11,"
    " connected_at_us = ?12, last_error = '', hook_secret_sealed = ?13"
    " WHERE id = 1 AND installed = 1"
    " RETURNING " INTEGRATION_COLUMNS;

constexpr std::string_view kStoreTokens =
    "UPDATE gitlab_integration SET access_token_sealed = ?2, refresh_token_sealed = ?3,"
    " token_expires_at_us = ?4"
    " WHERE id = 1 AND generation = ?1 AND status <> 'disconnected'";

constexpr std::string_view kSetStatus =
    "UPDATE gitlab_integration SET status = ?2, last_error = ?3"
    " WHERE id = 1 AND generation = ?1 AND status <> 'disconnected'";

constexpr std::string_view kDisconnect =
    "UPDATE gitlab_integration SET status = 'disconnected', generation = generation + 1,"
    " base_url = '', client_id = '', client_secret_sealed = '', redirect_uri = '',"
    " access_token_sealed = '', refresh_token_sealed = '', token_expires_at_us = 0,"
    " gitlab_user_id = 0, gitlab_username = '', gitlab_is_admin = 0, connected_by = NULL,"
    " connected_at_us = 0, last_error = '', hook_secret_sealed = ''"
    " WHERE id = 1";

constexpr std::string_view kDeleteProjects = "DELETE FROM gitlab_projects";
constexpr std::string_view kDeleteIdentities = "DELETE FROM gitlab_identities";
constexpr std::string_view kDeleteSightings = "DELETE FROM gitlab_email_sightings";
constexpr std::string_view kDeleteStates = "DELETE FROM gitlab_oauth_states";

constexpr std::string_view kDeleteExpiredStates =
    "DELETE FROM gitlab_oauth_states WHERE expires_at_us <= ?1";

constexpr std::string_view kInsertState =
    "INSERT INTO gitlab_oauth_states (" STATE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

constexpr std::string_view kConsumeState =
    "DELETE FROM gitlab_oauth_states WHERE state_hash = ?1 RETURNING " STATE_COLUMNS;

constexpr std::string_view kSelectGeneration =
    "SELECT generation, status FROM gitlab_integration WHERE id = 1";

constexpr std::string_view kSelectProjects =
    "SELECT " PROJECT_COLUMNS " FROM gitlab_projects ORDER BY path_with_namespace, project_id";

constexpr std::string_view kSelectProject =
    "SELECT " PROJECT_COLUMNS " FROM gitlab_projects WHERE project_id = ?1";

constexpr std::string_view kUpsertProject =
    "INSERT INTO gitlab_projects (project_id, path_with_namespace, web_url, discovered_at_us)"
    " VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (project_id) DO UPDATE SET path_with_namespace = excluded.path_with_namespace,"
    " web_url = excluded.web_url, owned = 1";

constexpr std::string_view kDisownProject =
    "UPDATE gitlab_projects SET owned = 0 WHERE project_id = ?1";

constexpr std::string_view kSetMonitored =
    "UPDATE gitlab_projects SET monitored = ?2 WHERE project_id = ?1 RETURNING " PROJECT_COLUMNS;

constexpr std::string_view kSetHook =
    "UPDATE gitlab_projects SET hook_id = ?3, hook_status = ?4, hook_error = ?5"
    " WHERE project_id = ?2 AND EXISTS (SELECT 1 FROM gitlab_integration WHERE id = 1"
    " AND generation = ?1 AND status <> 'disconnected')";

constexpr std::string_view kAdvanceCursor =
    "UPDATE gitlab_projects SET"
    " cursor_at_us = CASE WHEN ?3 > cursor_event_id THEN ?4 ELSE cursor_at_us END,"
    " cursor_event_id = max(cursor_event_id, ?3),"
    " backfilled = max(backfilled, ?5), last_polled_at_us = ?6"
    " WHERE project_id = ?2 AND EXISTS (SELECT 1 FROM gitlab_integration WHERE id = 1"
    " AND generation = ?1 AND status <> 'disconnected')";

constexpr std::string_view kSelectIdentityOwner =
    "SELECT user_id FROM gitlab_identities WHERE gitlab_user_id = ?1";

constexpr std::string_view kUpsertIdentity =
    "INSERT INTO gitlab_identities (" IDENTITY_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (user_id) DO UPDATE SET gitlab_user_id = excluded.gitlab_user_id,"
    " username = excluded.username, emails = excluded.emails,"
    " connected_by = excluded.connected_by, connected_at_us = excluded.connected_at_us"
    " RETURNING " IDENTITY_COLUMNS;

constexpr std::string_view kDeleteIdentity = "DELETE FROM gitlab_identities WHERE user_id = ?1";

constexpr std::string_view kSelectIdentity =
    "SELECT " IDENTITY_COLUMNS " FROM gitlab_identities WHERE user_id = ?1";

constexpr std::string_view kSelectIdentities =
    "SELECT " IDENTITY_COLUMNS " FROM gitlab_identities ORDER BY user_id";

constexpr std::string_view kUpsertSighting =
    "INSERT INTO gitlab_email_sightings (email, gitlab_user_id, username, name, seen_at_us)"
    " VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (email, gitlab_user_id) DO UPDATE SET username = excluded.username,"
    " name = excluded.name, seen_at_us = max(seen_at_us, excluded.seen_at_us)";

constexpr std::string_view kSelectSightings =
    "SELECT email, gitlab_user_id, username, name, seen_at_us FROM gitlab_email_sightings"
    " WHERE email = ?1 ORDER BY gitlab_user_id";

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (at_us, actor_user_id, action, target, detail)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING " AUDIT_COLUMNS;

constexpr std::string_view kSelectAudit =
    "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY id DESC LIMIT ?1";

#undef INTEGRATION_COLUMNS
#undef PROJECT_COLUMNS
#undef STATE_COLUMNS
#undef IDENTITY_COLUMNS
#undef AUDIT_COLUMNS

int64_t Flag(bool value) { return value ? 1 : 0; }

Result<GitlabIntegration> ReadIntegration(const Statement& row) {
  GitlabIntegration out;
  out.installed = row.Int(0) != 0;
  if (auto at = row.OptionalInt(1)) {
    out.installed_at = FromMicros(*at);
  }
  out.installed_by = row.OptionalInt(2);
  auto status = ParseOrgStatus(row.Text(3));
  if (!status) {
    return tl::unexpected(status.error());
  }
  out.status = *status;
  out.generation = row.Int(4);
  out.base_url = row.Text(5);
  out.client_id = row.Text(6);
  out.client_secret_sealed = row.Text(7);
  out.redirect_uri = row.Text(8);
  out.access_token_sealed = row.Text(9);
  out.refresh_token_sealed = row.Text(10);
  out.token_expires_at = FromMicros(row.Int(11));
  out.gitlab_user_id = row.Int(12);
  out.gitlab_username = row.Text(13);
  out.gitlab_is_admin = row.Int(14) != 0;
  out.connected_by = row.OptionalInt(15);
  out.connected_at = FromMicros(row.Int(16));
  out.last_error = row.Text(17);
  out.hook_secret_sealed = row.Text(18);
  return out;
}

Result<GitlabProject> ReadProject(const Statement& row) {
  GitlabProject out;
  out.id = row.Int(0);
  out.path_with_namespace = row.Text(1);
  out.web_url = row.Text(2);
  out.monitored = row.Int(3) != 0;
  out.owned = row.Int(4) != 0;
  out.hook_id = row.OptionalInt(5);
  auto status = ParseHookStatus(row.Text(6));
  if (!status) {
    return tl::unexpected(status.error());
  }
  out.hook_status = *status;
  out.hook_error = row.Text(7);
  out.cursor_event_id = row.Int(8);
  out.cursor_at = FromMicros(row.Int(9));
  out.backfilled = row.Int(10) != 0;
  out.last_polled_at = FromMicros(row.Int(11));
  out.discovered_at = FromMicros(row.Int(12));
  return out;
}

Result<OAuthState> ReadState(const Statement& row) {
  OAuthState out;
  out.state_hash = row.Text(0);
  out.flow = row.Text(1) == "user" ? OAuthFlow::kUser : OAuthFlow::kOrganization;
  out.user_id = row.Int(2);
  out.session_id_hash = row.Text(3);
  out.verifier_sealed = row.Text(4);
  out.base_url = row.Text(5);
  out.client_id = row.Text(6);
  out.client_secret_sealed = row.Text(7);
  out.redirect_uri = row.Text(8);
  out.generation = row.Int(9);
  out.created_at = FromMicros(row.Int(10));
  out.expires_at = FromMicros(row.Int(11));
  return out;
}

Result<GitlabIdentity> ReadIdentity(const Statement& row) {
  GitlabIdentity out;
  out.user_id = row.Int(0);
  out.gitlab_user_id = row.Int(1);
  out.username = row.Text(2);
  auto emails = DecodeStringArray(row.Text(3));
  if (!emails) {
    return tl::unexpected(emails.error());
  }
  out.emails = std::move(*emails);
  out.connected_by = row.Int(4);
  out.connected_at = FromMicros(row.Int(5));
  return out;
}

Result<EmailSighting> ReadSighting(const Statement& row) {
  return EmailSighting{.email = row.Text(0),
                       .gitlab_user_id = row.Int(1),
                       .username = row.Text(2),
                       .name = row.Text(3),
                       .seen_at = FromMicros(row.Int(4))};
}

Result<AuditEntry> ReadAudit(const Statement& row) {
  return AuditEntry{.id = row.Int(0),
                    .at = FromMicros(row.Int(1)),
                    .actor_user_id = row.OptionalInt(2),
                    .action = row.Text(3),
                    .target = row.Text(4),
                    .detail = row.Text(5)};
}

// The first row read with `read`; kNotFound with `what` when there is none.
#define FEED_SETTINGS_COLUMNS                                                         \
  "max_gap_minutes, lead_in_minutes, rounding_minutes, hours_per_day, days_per_week," \
  " updated_by, updated_at_us"

constexpr std::string_view kSelectFeedSettings =
    "SELECT " FEED_SETTINGS_COLUMNS " FROM feed_settings WHERE id = 1";

constexpr std::string_view kUpdateFeedSettings =
    "UPDATE feed_settings SET max_gap_minutes = ?1, lead_in_minutes = ?2, rounding_minutes = ?3,"
    " hours_per_day = ?4, days_per_week = ?5, updated_by = ?6, updated_at_us = ?7"
    " WHERE id = 1 RETURNING " FEED_SETTINGS_COLUMNS;

#undef FEED_SETTINGS_COLUMNS

Result<FeedSettings> ReadFeedSettings(const Statement& row) {
  FeedSettings settings;
  settings.max_gap_minutes = row.Int(0);
  settings.lead_in_minutes = row.Int(1);
  settings.rounding_minutes = row.Int(2);
  settings.hours_per_day = row.Int(3);
  settings.days_per_week = row.Int(4);
  settings.updated_by = row.OptionalInt(5);
  settings.updated_at = FromMicros(row.Int(6));
  return settings;
}

template <typename Reader>
auto One(Statement& statement, std::string_view what, Reader read) -> decltype(read(statement)) {
  auto row = statement.Step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  if (!*row) {
    return NotFound(std::string(what));
  }
  return read(statement);
}

// Every row read with `read`.
template <typename T, typename Reader>
Result<std::vector<T>> All(Statement& statement, Reader read) {
  std::vector<T> out;
  while (true) {
    auto row = statement.Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return out;
    }
    auto item = read(statement);
    if (!item) {
      return tl::unexpected(item.error());
    }
    out.push_back(std::move(*item));
  }
}

// Runs a statement; kConflict with `message` when it changed no row.
Status ChangedOne(Result<int64_t> changed, std::string_view message) {
  if (!changed) {
    return tl::unexpected(changed.error());
  }
  if (*changed == 0) {
    return Conflict(std::string(message));
  }
  return {};
}

constexpr std::string_view kStaleGeneration =
    "the GitLab organization was disconnected or reconnected meanwhile";

Result<GitlabIntegration> SelectIntegration(Connection& db) {
  auto select = db.Prepare(kSelectIntegration);
  if (!select) {
    return tl::unexpected(select.error());
  }
  return One(*select, "the GitLab integration row is missing", ReadIntegration);
}

Result<std::vector<GitlabProject>> SelectProjects(Connection& db) {
  auto select = db.Prepare(kSelectProjects);
  if (!select) {
    return tl::unexpected(select.error());
  }
  return All<GitlabProject>(*select, ReadProject);
}

Status Exec(Connection& db, std::string_view sql) {
  auto statement = db.Prepare(sql);
  if (!statement) {
    return tl::unexpected(statement.error());
  }
  auto ran = statement->Run();
  if (!ran) {
    return tl::unexpected(ran.error());
  }
  return {};
}

}  // namespace

Result<GitlabIntegration> SqliteGitlabOrg::Get() {
  return store_.Read([&](Connection& db) { return SelectIntegration(db); });
}

Status SqliteGitlabOrg::SetInstalled(bool installed, std::optional<int64_t> by) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(installed ? kInstall : kUninstall);
    if (!update) {
      return tl::unexpected(update.error());
    }
    if (installed) {
      update->Bind(1, now).Bind(2, by);
    }
    return ChangedOne(update->Run(), "the GitLab integration row is missing");
  });
}

Result<GitlabIntegration> SqliteGitlabOrg::Connect(const OrgConnection& c) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<GitlabIntegration> {
    for (std::string_view sql : {kDeleteProjects, kDeleteIdentities, kDeleteSightings}) {
      if (auto done = Exec(db, sql); !done) {
        return tl::unexpected(done.error());
      }
    }
    auto update = db.Prepare(kConnect);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, c.base_url)
        .Bind(2, c.client_id)
        .Bind(3, c.client_secret_sealed)
        .Bind(4, c.redirect_uri)
        .Bind(5, c.access_token_sealed)
        .Bind(6, c.refresh_token_sealed)
        .Bind(7, ToMicros(c.token_expires_at))
        .Bind(8, c.gitlab_user_id)
        .Bind(9, c.gitlab_username)
        .Bind(10, Flag(c.gitlab_is_admin))
        .Bind(11, c.connected_by)
        .Bind(12, now)
        .Bind(13, c.hook_secret_sealed);
    auto connected = One(*update, "", ReadIntegration);
    if (!connected && connected.error().code == ErrorCode::kNotFound) {
      return Conflict("install the GitLab app before connecting the organization");
    }
    return connected;
  });
}

Status SqliteGitlabOrg::StoreTokens(int64_t generation, std::string_view access_token_sealed,
                                    std::string_view refresh_token_sealed, TimePoint expires_at) {
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kStoreTokens);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, generation)
        .Bind(2, access_token_sealed)
        .Bind(3, refresh_token_sealed)
        .Bind(4, ToMicros(expires_at));
    return ChangedOne(update->Run(), kStaleGeneration);
  });
}

Status SqliteGitlabOrg::SetStatus(int64_t generation, OrgStatus status,
                                  std::string_view last_error) {
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kSetStatus);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, generation).Bind(2, OrgStatusName(status)).Bind(3, last_error);
    return ChangedOne(update->Run(), kStaleGeneration);
  });
}

Result<DisconnectedOrg> SqliteGitlabOrg::Disconnect() {
  return store_.Write([&](Connection& db) -> Result<DisconnectedOrg> {
    DisconnectedOrg out;
    auto integration = SelectIntegration(db);
    if (!integration) {
      return tl::unexpected(integration.error());
    }
    out.integration = std::move(*integration);
    auto projects = SelectProjects(db);
    if (!projects) {
      return tl::unexpected(projects.error());
    }
    out.projects = std::move(*projects);
    for (std::string_view sql :
         {kDeleteProjects, kDeleteIdentities, kDeleteSightings, kDeleteStates, kDisconnect}) {
      if (auto done = Exec(db, sql); !done) {
        return tl::unexpected(done.error());
      }
    }
    return out;
  });
}

Status SqliteGitlabOrg::CreateOAuthState(const OAuthState& s) {
  return store_.Write([&](Connection& db) -> Status {
    auto expired = db.Prepare(kDeleteExpiredStates);
    if (!expired) {
      return tl::unexpected(expired.error());
    }
    expired->Bind(1, ToMicros(s.created_at));
    if (auto done = expired->Run(); !done) {
      return tl::unexpected(done.error());
    }
    auto insert = db.Prepare(kInsertState);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, s.state_hash)
        .Bind(2, s.flow == OAuthFlow::kUser ? "user" : "organization")
        .Bind(3, s.user_id)
        .Bind(4, s.session_id_hash)
        .Bind(5, s.verifier_sealed)
        .Bind(6, s.base_url)
        .Bind(7, s.client_id)
        .Bind(8, s.client_secret_sealed)
        .Bind(9, s.redirect_uri)
        .Bind(10, s.generation)
        .Bind(11, ToMicros(s.created_at))
        .Bind(12, ToMicros(s.expires_at));
    auto inserted = insert->Run();
    if (!inserted) {
      return tl::unexpected(inserted.error());
    }
    return {};
  });
}

Result<OAuthState> SqliteGitlabOrg::ConsumeOAuthState(std::string_view state_hash, TimePoint now) {
  auto consumed = store_.Write([&](Connection& db) -> Result<OAuthState> {
    auto remove = db.Prepare(kConsumeState);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, state_hash);
    auto state = One(*remove, "unknown or already used OAuth state", ReadState);
    // Finish the statement so the DELETE completes inside this transaction.
    while (state) {
      auto more = remove->Step();
      if (!more || !*more) {
        break;
      }
    }
    return state;
  });
  if (consumed && consumed->expires_at <= now) {
    return NotFound("the GitLab authorization took too long; start again");
  }
  return consumed;
}

Result<std::vector<GitlabProject>> SqliteGitlabOrg::SyncProjects(
    int64_t generation, const std::vector<DiscoveredProject>& seen) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<std::vector<GitlabProject>> {
    {
      auto current = db.Prepare(kSelectGeneration);
      if (!current) {
        return tl::unexpected(current.error());
      }
      auto row = current->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (!*row || current->Int(0) != generation || current->Text(1) == "disconnected") {
        return Conflict(std::string(kStaleGeneration));
      }
    }
    auto before = SelectProjects(db);
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
      auto upsert = db.Prepare(kUpsertProject);
      if (!upsert) {
        return tl::unexpected(upsert.error());
      }
      upsert->Bind(1, project.id)
          .Bind(2, project.path_with_namespace)
          .Bind(3, project.web_url)
          .Bind(4, now);
      if (auto done = upsert->Run(); !done) {
        return tl::unexpected(done.error());
      }
    }
    for (int64_t id : known) {
      if (seen_ids.contains(id)) {
        continue;
      }
      auto disown = db.Prepare(kDisownProject);
      if (!disown) {
        return tl::unexpected(disown.error());
      }
      disown->Bind(1, id);
      if (auto done = disown->Run(); !done) {
        return tl::unexpected(done.error());
      }
    }
    std::vector<GitlabProject> added;
    for (int64_t id : seen_ids) {
      if (known.contains(id)) {
        continue;
      }
      auto select = db.Prepare(kSelectProject);
      if (!select) {
        return tl::unexpected(select.error());
      }
      select->Bind(1, id);
      auto project = One(*select, "project", ReadProject);
      if (!project) {
        return tl::unexpected(project.error());
      }
      added.push_back(std::move(*project));
    }
    return added;
  });
}

Result<std::vector<GitlabProject>> SqliteGitlabOrg::ListProjects() {
  return store_.Read([&](Connection& db) { return SelectProjects(db); });
}

Result<GitlabProject> SqliteGitlabOrg::GetProject(int64_t project_id) {
  return store_.Read([&](Connection& db) -> Result<GitlabProject> {
    auto select = db.Prepare(kSelectProject);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, project_id);
    return One(*select, fmt::format("project {} not found", project_id), ReadProject);
  });
}

Result<GitlabProject> SqliteGitlabOrg::SetMonitored(int64_t project_id, bool monitored) {
  return store_.Write([&](Connection& db) -> Result<GitlabProject> {
    auto update = db.Prepare(kSetMonitored);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, project_id).Bind(2, Flag(monitored));
    auto project = One(*update, fmt::format("project {} not found", project_id), ReadProject);
    while (project) {
      auto more = update->Step();
      if (!more || !*more) {
        break;
      }
    }
    return project;
  });
}

Status SqliteGitlabOrg::SetHook(int64_t generation, int64_t project_id,
                                std::optional<int64_t> hook_id, HookStatus status,
                                std::string_view error) {
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kSetHook);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, generation)
        .Bind(2, project_id)
        .Bind(3, hook_id)
        .Bind(4, HookStatusName(status))
        .Bind(5, error);
    return ChangedOne(update->Run(), kStaleGeneration);
  });
}

Status SqliteGitlabOrg::AdvanceCursor(int64_t generation, int64_t project_id, int64_t event_id,
                                      TimePoint event_at, bool backfilled, TimePoint polled_at) {
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kAdvanceCursor);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, generation)
        .Bind(2, project_id)
        .Bind(3, event_id)
        .Bind(4, ToMicros(event_at))
        .Bind(5, Flag(backfilled))
        .Bind(6, ToMicros(polled_at));
    return ChangedOne(update->Run(), kStaleGeneration);
  });
}

Result<GitlabIdentity> SqliteGitlabOrg::LinkIdentity(const GitlabIdentity& identity) {
  return store_.Write([&](Connection& db) -> Result<GitlabIdentity> {
    {
      auto owner = db.Prepare(kSelectIdentityOwner);
      if (!owner) {
        return tl::unexpected(owner.error());
      }
      owner->Bind(1, identity.gitlab_user_id);
      auto row = owner->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (*row && owner->Int(0) != identity.user_id) {
        return tl::unexpected(Error{
            ErrorCode::kConflict, "gitlab_user_id",
            fmt::format("GitLab user {} is already connected to another user", identity.username)});
      }
    }
    auto upsert = db.Prepare(kUpsertIdentity);
    if (!upsert) {
      return tl::unexpected(upsert.error());
    }
    upsert->Bind(1, identity.user_id)
        .Bind(2, identity.gitlab_user_id)
        .Bind(3, identity.username)
        .Bind(4, EncodeStringArray(identity.emails))
        .Bind(5, identity.connected_by)
        .Bind(6, ToMicros(identity.connected_at));
    auto linked = One(*upsert, "identity", ReadIdentity);
    while (linked) {
      auto more = upsert->Step();
      if (!more || !*more) {
        break;
      }
    }
    return linked;
  });
}

Status SqliteGitlabOrg::UnlinkIdentity(int64_t user_id) {
  return store_.Write([&](Connection& db) -> Status {
    auto remove = db.Prepare(kDeleteIdentity);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, user_id);
    auto changed = remove->Run();
    if (!changed) {
      return tl::unexpected(changed.error());
    }
    if (*changed == 0) {
      return NotFound(fmt::format("user {} is not connected to GitLab", user_id));
    }
    return {};
  });
}

Result<std::optional<GitlabIdentity>> SqliteGitlabOrg::GetIdentity(int64_t user_id) {
  return store_.Read([&](Connection& db) -> Result<std::optional<GitlabIdentity>> {
    auto select = db.Prepare(kSelectIdentity);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, user_id);
    auto all = All<GitlabIdentity>(*select, ReadIdentity);
    if (!all) {
      return tl::unexpected(all.error());
    }
    if (all->empty()) {
      return std::optional<GitlabIdentity>();
    }
    return std::optional<GitlabIdentity>(std::move(all->front()));
  });
}

Result<std::vector<GitlabIdentity>> SqliteGitlabOrg::ListIdentities() {
  return store_.Read([&](Connection& db) -> Result<std::vector<GitlabIdentity>> {
    auto select = db.Prepare(kSelectIdentities);
    if (!select) {
      return tl::unexpected(select.error());
    }
    return All<GitlabIdentity>(*select, ReadIdentity);
  });
}

Status SqliteGitlabOrg::RecordEmailSightings(const std::vector<EmailSighting>& sightings) {
  if (sightings.empty()) {
    return {};
  }
  return store_.Write([&](Connection& db) -> Status {
    for (const auto& s : sightings) {
      auto upsert = db.Prepare(kUpsertSighting);
      if (!upsert) {
        return tl::unexpected(upsert.error());
      }
      upsert->Bind(1, s.email)
          .Bind(2, s.gitlab_user_id)
          .Bind(3, s.username)
          .Bind(4, s.name)
          .Bind(5, ToMicros(s.seen_at));
      if (auto done = upsert->Run(); !done) {
        return tl::unexpected(done.error());
      }
    }
    return {};
  });
}

Result<std::vector<EmailSighting>> SqliteGitlabOrg::FindEmailSightings(std::string_view email) {
  return store_.Read([&](Connection& db) -> Result<std::vector<EmailSighting>> {
    auto select = db.Prepare(kSelectSightings);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, email);
    return All<EmailSighting>(*select, ReadSighting);
  });
}

Result<AuditEntry> SqliteGitlabOrg::AppendAudit(const AuditEntry& entry) {
  return store_.Write([&](Connection& db) -> Result<AuditEntry> {
    auto insert = db.Prepare(kInsertAudit);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, ToMicros(entry.at))
        .Bind(2, entry.actor_user_id)
        .Bind(3, entry.action)
        .Bind(4, entry.target)
        .Bind(5, entry.detail);
    auto appended = One(*insert, "audit entry", ReadAudit);
    while (appended) {
      auto more = insert->Step();
      if (!more || !*more) {
        break;
      }
    }
    return appended;
  });
}

Result<FeedSettings> SqliteGitlabOrg::GetFeedSettings() {
  return store_.Read([&](Connection& db) -> Result<FeedSettings> {
    auto select = db.Prepare(kSelectFeedSettings);
    if (!select) {
      return tl::unexpected(select.error());
    }
    return One(*select, "the feed settings row is missing", ReadFeedSettings);
  });
}

Result<FeedSettings> SqliteGitlabOrg::UpdateFeedSettings(const FeedSettings& settings) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<FeedSettings> {
    auto update = db.Prepare(kUpdateFeedSettings);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, settings.max_gap_minutes)
        .Bind(2, settings.lead_in_minutes)
        .Bind(3, settings.rounding_minutes)
        .Bind(4, settings.hours_per_day)
        .Bind(5, settings.days_per_week)
        .Bind(6, settings.updated_by)
        .Bind(7, now);
    return One(*update, "the feed settings row is missing", ReadFeedSettings);
  });
}

Result<std::vector<AuditEntry>> SqliteGitlabOrg::ListAudit(int limit) {
  return store_.Read([&](Connection& db) -> Result<std::vector<AuditEntry>> {
    auto select = db.Prepare(kSelectAudit);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, int64_t{limit});
    return All<AuditEntry>(*select, ReadAudit);
  });
}

}  // namespace worklog::store::sqlite

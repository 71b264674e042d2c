// The GitLab integration tables (store/gitlab_org.h): the same contract on every back-end.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

class OrgContract : public StoreTest {
 protected:
  OrgConnection Connection(int64_t admin_id) {
    return OrgConnection{.base_url = "https://gitlab.example.com",
                         .client_id = "app-id",
                         .client_secret_sealed = "sealed-secret",
                         .redirect_uri = "https://worklog.example.com/apps/gitlab/oauth/callback",
                         .access_token_sealed = "sealed-access",
                         .refresh_token_sealed = "sealed-refresh",
                         .token_expires_at = clock_.Now() + hours(2),
                         .gitlab_user_id = 7,
                         .gitlab_username = "owner",
                         .gitlab_is_admin = false,
                         .connected_by = admin_id,
                         .hook_secret_sealed = "sealed-hook-secret"};
  }

  // Installs and connects; returns the connection's generation.
  int64_t InstallAndConnect() {
    const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
    EXPECT_TRUE(store().GitlabOrg().SetInstalled(true, admin.id));
    auto connected = store().GitlabOrg().Connect(Connection(admin.id));
    EXPECT_TRUE(connected) << connected.error().message;
    return connected ? connected->generation : 0;
  }

  GitlabIdentity Identity(int64_t user_id, int64_t gitlab_user_id, const std::string& username) {
    GitlabIdentity identity;
    identity.user_id = user_id;
    identity.gitlab_user_id = gitlab_user_id;
    identity.username = username;
    identity.connected_by = user_id;
    identity.connected_at = clock_.Now();
    return identity;
  }

  EmailSighting Sighting(const std::string& email, int64_t gitlab_user_id,
                         const std::string& username) {
    EmailSighting sighting;
    sighting.email = email;
    sighting.gitlab_user_id = gitlab_user_id;
    sighting.username = username;
    sighting.seen_at = clock_.Now();
    return sighting;
  }

  std::vector<DiscoveredProject> Projects(std::initializer_list<int64_t> ids) {
    std::vector<DiscoveredProject> out;
    for (int64_t id : ids) {
      out.push_back({.id = id,
                     .path_with_namespace = "group/p" + std::to_string(id),
                     .web_url = "https://gitlab.example.com/group/p" + std::to_string(id)});
    }
    return out;
  }
};
WORKLOG_STORE_BACKENDS(OrgContract);

TEST_P(OrgContract, FreshDatabaseIsNotInstalledAndDisconnected) {
  auto integration = store().GitlabOrg().Get();
  ASSERT_TRUE(integration) << integration.error().message;
  EXPECT_FALSE(integration->installed);
  EXPECT_EQ(integration->status, OrgStatus::kDisconnected);
}

TEST_P(OrgContract, FeedSettingsStartAtTheDefaultsAndKeepAChange) {
  auto defaults = store().GitlabOrg().GetFeedSettings();
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->max_gap_minutes, 120);
  EXPECT_EQ(defaults->lead_in_minutes, 30);
  EXPECT_EQ(defaults->rounding_minutes, 15);
  EXPECT_EQ(defaults->hours_per_day, 8);
  EXPECT_EQ(defaults->days_per_week, 5);
  EXPECT_EQ(defaults->updated_by, std::nullopt);

  const auto admin = AddUser("admin@example.com");
  auto stamp_before = store().Activities().FeedStamp(admin.id);
  ASSERT_TRUE(stamp_before);
  FeedSettings next = *defaults;
  next.max_gap_minutes = 90;
  next.lead_in_minutes = 0;
  next.rounding_minutes = 6;
  next.hours_per_day = 6;
  next.days_per_week = 4;
  next.updated_by = admin.id;
  auto updated = store().GitlabOrg().UpdateFeedSettings(next);
  ASSERT_TRUE(updated) << updated.error().message;
  auto read = store().GitlabOrg().GetFeedSettings();
  ASSERT_TRUE(read);
  for (const auto* settings : {&*updated, &*read}) {
    EXPECT_EQ(settings->max_gap_minutes, 90);
    EXPECT_EQ(settings->lead_in_minutes, 0);
    EXPECT_EQ(settings->rounding_minutes, 6);
    EXPECT_EQ(settings->hours_per_day, 6);
    EXPECT_EQ(settings->days_per_week, 4);
    EXPECT_EQ(settings->updated_by, admin.id);
    EXPECT_EQ(settings->updated_at, clock_.Now());
  }
  // Every feed is computed with them: every user's cached feed is stale.
  auto stamp_after = store().Activities().FeedStamp(admin.id);
  ASSERT_TRUE(stamp_after);
  EXPECT_NE(*stamp_after, *stamp_before);
}

TEST_P(OrgContract, ConnectingBeforeInstallingIsAConflict) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  auto connected = store().GitlabOrg().Connect(Connection(admin.id));
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, ErrorCode::kConflict);
}

TEST_P(OrgContract, ConnectionIsStoredWithWhoConnectedAndWhen) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  ASSERT_TRUE(store().GitlabOrg().SetInstalled(true, admin.id));
  auto connected = store().GitlabOrg().Connect(Connection(admin.id));
  ASSERT_TRUE(connected) << connected.error().message;

  auto read = store().GitlabOrg().Get();
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->installed);
  EXPECT_EQ(read->installed_by, admin.id);
  EXPECT_EQ(read->status, OrgStatus::kConnected);
  EXPECT_EQ(read->generation, connected->generation);
  EXPECT_EQ(read->base_url, "https://gitlab.example.com");
  EXPECT_EQ(read->gitlab_username, "owner");
  EXPECT_EQ(read->connected_by, admin.id);
  EXPECT_EQ(read->connected_at, clock_.Now());
  EXPECT_EQ(read->access_token_sealed, "sealed-access");
  EXPECT_EQ(read->refresh_token_sealed, "sealed-refresh");
  EXPECT_EQ(read->token_expires_at, clock_.Now() + hours(2));
  EXPECT_EQ(read->hook_secret_sealed, "sealed-hook-secret");
}

TEST_P(OrgContract, RotatedTokensOfAnOldConnectionAreRefused) {
  const int64_t generation = InstallAndConnect();
  ASSERT_TRUE(store().GitlabOrg().StoreTokens(generation, "a2", "r2", clock_.Now() + hours(3)));
  EXPECT_EQ(store().GitlabOrg().Get()->refresh_token_sealed, "r2");

  ASSERT_TRUE(store().GitlabOrg().Disconnect());
  auto stale = store().GitlabOrg().StoreTokens(generation, "a3", "r3", clock_.Now());
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().GitlabOrg().Get()->refresh_token_sealed, "");
}

TEST_P(OrgContract, FailedRefreshMarksNeedsReauthorizationWithTheReason) {
  const int64_t generation = InstallAndConnect();
  ASSERT_TRUE(store().GitlabOrg().SetStatus(generation, OrgStatus::kNeedsReauthorization,
                                            "GitLab revoked the token"));
  auto read = store().GitlabOrg().Get();
  EXPECT_EQ(read->status, OrgStatus::kNeedsReauthorization);
  EXPECT_EQ(read->last_error, "GitLab revoked the token");
}

TEST_P(OrgContract, OAuthStateCanBeUsedOnlyOnce) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  OAuthState state{.state_hash = "hash-1",
                   .flow = OAuthFlow::kUser,
                   .user_id = admin.id,
                   .session_id_hash = "session",
                   .verifier_sealed = "sealed-verifier",
                   .base_url = "https://gitlab.example.com",
                   .client_id = "app",
                   .client_secret_sealed = "sealed",
                   .redirect_uri = "https://worklog.example.com/apps/gitlab/oauth/callback",
                   .generation = 3,
                   .created_at = clock_.Now(),
                   .expires_at = clock_.Now() + minutes(10)};
  ASSERT_TRUE(store().GitlabOrg().CreateOAuthState(state));

  auto first = store().GitlabOrg().ConsumeOAuthState("hash-1", clock_.Now());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->flow, OAuthFlow::kUser);
  EXPECT_EQ(first->user_id, admin.id);
  EXPECT_EQ(first->session_id_hash, "session");
  EXPECT_EQ(first->verifier_sealed, "sealed-verifier");
  EXPECT_EQ(first->generation, 3);

  auto replay = store().GitlabOrg().ConsumeOAuthState("hash-1", clock_.Now());
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kNotFound);
}

TEST_P(OrgContract, ExpiredOAuthStateIsRefused) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  OAuthState state;
  state.state_hash = "old";
  state.user_id = admin.id;
  state.created_at = clock_.Now();
  state.expires_at = clock_.Now() + minutes(10);
  ASSERT_TRUE(store().GitlabOrg().CreateOAuthState(state));
  auto late = store().GitlabOrg().ConsumeOAuthState("old", clock_.Now() + minutes(11));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kNotFound);
}

TEST_P(OrgContract, DiscoveredProjectsAreMonitoredByDefaultAndOnlyNewOnesAreReported) {
  const int64_t generation = InstallAndConnect();
  auto first = store().GitlabOrg().SyncProjects(generation, Projects({11, 12}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_THAT(*first, ElementsAre(Field(&GitlabProject::id, 11), Field(&GitlabProject::id, 12)));
  EXPECT_TRUE(first->at(0).monitored);
  EXPECT_EQ(first->at(0).hook_status, HookStatus::kPending);

  auto second = store().GitlabOrg().SyncProjects(generation, Projects({12, 13}));
  ASSERT_TRUE(second);
  EXPECT_THAT(*second, ElementsAre(Field(&GitlabProject::id, 13)));

  auto all = store().GitlabOrg().ListProjects();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_FALSE(store().GitlabOrg().GetProject(11)->owned);  // no longer Owner
  EXPECT_TRUE(store().GitlabOrg().GetProject(13)->owned);
}

TEST_P(OrgContract, UnmonitoringAProjectIsRemembered) {
  const int64_t generation = InstallAndConnect();
  ASSERT_TRUE(store().GitlabOrg().SyncProjects(generation, Projects({11})));
  auto changed = store().GitlabOrg().SetMonitored(11, false);
  ASSERT_TRUE(changed);
  EXPECT_FALSE(changed->monitored);
  ASSERT_TRUE(store().GitlabOrg().SyncProjects(generation, Projects({11})));
  EXPECT_FALSE(store().GitlabOrg().GetProject(11)->monitored);
  EXPECT_EQ(store().GitlabOrg().SetMonitored(99, true).error().code, ErrorCode::kNotFound);
}

TEST_P(OrgContract, HookAndCursorAreStoredAndTheCursorNeverMovesBack) {
  const int64_t generation = InstallAndConnect();
  ASSERT_TRUE(store().GitlabOrg().SyncProjects(generation, Projects({11})));
  ASSERT_TRUE(store().GitlabOrg().SetHook(generation, 11, 501, HookStatus::kActive, ""));
  ASSERT_TRUE(
      store().GitlabOrg().AdvanceCursor(generation, 11, 900, clock_.Now(), true, clock_.Now()));
  ASSERT_TRUE(store().GitlabOrg().AdvanceCursor(generation, 11, 800, clock_.Now() - hours(1), false,
                                                clock_.Now() + minutes(5)));
  auto project = store().GitlabOrg().GetProject(11);
  ASSERT_TRUE(project);
  EXPECT_EQ(project->hook_id, 501);
  EXPECT_EQ(project->hook_status, HookStatus::kActive);
  EXPECT_EQ(project->cursor_event_id, 900);
  EXPECT_EQ(project->cursor_at, clock_.Now());
  EXPECT_TRUE(project->backfilled);
  EXPECT_EQ(project->last_polled_at, clock_.Now() + minutes(5));
}

TEST_P(OrgContract, AGitlabUserLinksToOneWorklogUserOnly) {
  InstallAndConnect();
  const auto ada = AddUser("ada@example.com");
  const auto bob = AddUser("bob@example.com");
  auto linked = store().GitlabOrg().LinkIdentity({.user_id = ada.id,
                                                  .gitlab_user_id = 42,
                                                  .username = "ada",
                                                  .emails = {"ada@example.com"},
                                                  .connected_by = ada.id,
                                                  .connected_at = clock_.Now()});
  ASSERT_TRUE(linked) << linked.error().message;
  EXPECT_THAT(linked->emails, ElementsAre("ada@example.com"));

  auto clash = store().GitlabOrg().LinkIdentity(Identity(bob.id, 42, "ada"));
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(clash.error().field, "gitlab_user_id");

  ASSERT_TRUE(store().GitlabOrg().UnlinkIdentity(ada.id));
  EXPECT_FALSE(store().GitlabOrg().GetIdentity(ada.id)->has_value());
  EXPECT_EQ(store().GitlabOrg().UnlinkIdentity(ada.id).error().code, ErrorCode::kNotFound);
}

TEST_P(OrgContract, DisconnectForgetsEverythingButReportsWhatWasThere) {
  const int64_t generation = InstallAndConnect();
  const auto ada = AddUser("ada@example.com");
  ASSERT_TRUE(store().GitlabOrg().SyncProjects(generation, Projects({11})));
  ASSERT_TRUE(store().GitlabOrg().SetHook(generation, 11, 501, HookStatus::kActive, ""));
  ASSERT_TRUE(store().GitlabOrg().LinkIdentity(Identity(ada.id, 42, "ada")));
  ASSERT_TRUE(store().GitlabOrg().RecordEmailSightings({Sighting("ada@example.com", 42, "ada")}));

  auto gone = store().GitlabOrg().Disconnect();
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_EQ(gone->integration.access_token_sealed, "sealed-access");
  ASSERT_EQ(gone->projects.size(), 1u);
  EXPECT_EQ(gone->projects[0].hook_id, 501);

  auto after = store().GitlabOrg().Get();
  EXPECT_EQ(after->status, OrgStatus::kDisconnected);
  EXPECT_TRUE(after->installed);
  EXPECT_EQ(after->access_token_sealed, "");
  EXPECT_GT(after->generation, generation);
  EXPECT_THAT(store().GitlabOrg().ListProjects().value(), IsEmpty());
  EXPECT_THAT(store().GitlabOrg().ListIdentities().value(), IsEmpty());
  EXPECT_THAT(store().GitlabOrg().FindEmailSightings("ada@example.com").value(), IsEmpty());
  // A worker of the old connection can no longer write.
  EXPECT_FALSE(store().GitlabOrg().SyncProjects(generation, Projects({11})));
}

TEST_P(OrgContract, EmailSightingsKeepEveryPusherOfAnAddress) {
  ASSERT_TRUE(store().GitlabOrg().RecordEmailSightings(
      {Sighting("x@example.com", 1, "one"), Sighting("x@example.com", 2, "two")}));
  ASSERT_TRUE(store().GitlabOrg().RecordEmailSightings({Sighting("x@example.com", 1, "one")}));
  auto found = store().GitlabOrg().FindEmailSightings("x@example.com");
  ASSERT_TRUE(found);
  EXPECT_THAT(*found, ElementsAre(Field(&EmailSighting::username, "one"),
                                  Field(&EmailSighting::username, "two")));
}

TEST_P(OrgContract, AuditLogListsNewestFirst) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  ASSERT_TRUE(store().GitlabOrg().AppendAudit({.id = 0,
                                               .at = clock_.Now(),
                                               .actor_user_id = admin.id,
                                               .action = "gitlab.install",
                                               .target = "",
                                               .detail = ""}));
  ASSERT_TRUE(store().GitlabOrg().AppendAudit({.id = 0,
                                               .at = clock_.Now() + minutes(1),
                                               .actor_user_id = std::nullopt,
                                               .action = "gitlab.token.refresh_failed",
                                               .target = "organization",
                                               .detail = "invalid_grant"}));
  auto entries = store().GitlabOrg().ListAudit(10);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(entries->at(0).action, "gitlab.token.refresh_failed");
  EXPECT_FALSE(entries->at(0).actor_user_id.has_value());
  EXPECT_EQ(entries->at(1).actor_user_id, admin.id);
  EXPECT_EQ(store().GitlabOrg().ListAudit(1)->size(), 1u);
}

}  // namespace
}  // namespace worklog::store::testing

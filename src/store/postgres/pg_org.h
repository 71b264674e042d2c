#pragma once

#include "store/gitlab_org.h"

namespace worklog::store::postgres {

class PgStore;

class PgGitlabOrg final : public GitlabOrgRepository {
 public:
  explicit PgGitlabOrg(PgStore& store) : store_(store) {}

  Result<GitlabIntegration> Get() override;
  Status SetInstalled(bool installed, std::optional<int64_t> by) override;
  Result<GitlabIntegration> Connect(const OrgConnection& connection) override;
  Status StoreTokens(int64_t generation, std::string_view access_token_sealed,
                     std::string_view refresh_token_sealed, TimePoint expires_at) override;
  Status SetStatus(int64_t generation, OrgStatus status, std::string_view last_error) override;
  Result<DisconnectedOrg> Disconnect() override;

  Status CreateOAuthState(const OAuthState& state) override;
  Result<OAuthState> ConsumeOAuthState(std::string_view state_hash, TimePoint now) override;

  Result<std::vector<GitlabProject>> SyncProjects(
      int64_t generation, const std::vector<DiscoveredProject>& seen) override;
  Result<std::vector<GitlabProject>> ListProjects() override;
  Result<GitlabProject> GetProject(int64_t project_id) override;
  Result<GitlabProject> SetMonitored(int64_t project_id, bool monitored) override;
  Status SetHook(int64_t generation, int64_t project_id, std::optional<int64_t> hook_id,
                 HookStatus status, std::string_view error) override;
  Status AdvanceCursor(int64_t generation, int64_t project_id, int64_t event_id, TimePoint event_at,
                       bool backfilled, TimePoint polled_at) override;

  Result<GitlabIdentity> LinkIdentity(const GitlabIdentity& identity) override;
  Status UnlinkIdentity(int64_t user_id) override;
  Result<std::optional<GitlabIdentity>> GetIdentity(int64_t user_id) override;
  Result<std::vector<GitlabIdentity>> ListIdentities() override;

  Status RecordEmailSightings(const std::vector<EmailSighting>& sightings) override;
  Result<std::vector<EmailSighting>> FindEmailSightings(std::string_view email) override;

  Result<FeedSettings> GetFeedSettings() override;
  Result<FeedSettings> UpdateFeedSettings(const FeedSettings& settings) override;

  Result<AuditEntry> AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> ListAudit(int limit) override;

 private:
  PgStore& store_;
};

}  // namespace worklog::store::postgres

// The GitLab client against the GitLab simulator (tools/gitlab-sim), in process: the OAuth
// flow end to end, pagination as the simulator sends it, and its /-/sim/ fault injection.

#include <gmock/gmock.h>

#include "gitlab-sim/sim_test_util.h"
#include "gitlab/client.h"
#include "gitlab/curl_transport.h"
#include "gitlab/oauth.h"
#include "gitlab/testing/scripted_server.h"

namespace worklog::gitlab {
namespace {

using gitlab_sim::testing::json;
using gitlab_sim::testing::kRootToken;
using gitlab_sim::testing::Reply;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::RecordingSleeper;

constexpr const char* kRedirect = "http://127.0.0.1:1/apps/gitlab/oauth/callback";

std::string QueryParam(const std::string& url, const std::string& name) {
  httplib::Params params;
  httplib::detail::parse_query_text(url.substr(url.find('?') + 1), params);
  const auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

class SimClientTest : public gitlab_sim::testing::SimTest {
 protected:
  BaseUrl Base() const {
    auto base = BaseUrl::Parse(sim_->url());
    EXPECT_TRUE(base) << sim_->url();
    return *base;
  }

  ClientOptions Options(int attempts = 5) {
    ClientOptions options;
    options.sleeper = &sleeper_;
    options.clock = &clock_;
    options.retry.max_attempts = attempts;
    return options;
  }

  Client RootClient(ClientOptions options) {
    return {transport_, Base(), kRootToken, std::move(options)};
  }
  Client RootClient() { return RootClient(Options()); }

  void Fault(const json& fault) {
    const Reply reply = Post("/-/sim/faults", fault);
    ASSERT_EQ(reply.status, 201) << reply.text;
  }

  // Follows worklog's authorize URL in a "browser": signs `username` in, approves, and
  // returns the redirect GitLab sent back.
  std::string AuthorizeInBrowser(const AuthorizationRequest& request, const std::string& username) {
    const std::string path = request.authorize_url.substr(sim_->url().size());
    auto first = client_->Get(path);
    EXPECT_EQ(first->status, 302);
    const std::string pre_cookie = first->get_header_value("Set-Cookie");
    auto signed_in =
        client_->Post("/users/sign_in", {{"Cookie", pre_cookie.substr(0, pre_cookie.find(';'))}},
                      "user%5Blogin%5D=" + username + "&user%5Bpassword%5D=password-123",
                      "application/x-www-form-urlencoded");
    EXPECT_EQ(signed_in->status, 302);
    const std::string set_cookie = signed_in->get_header_value("Set-Cookie");
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    const std::string back = signed_in->get_header_value("Location");
    auto consent = client_->Get(back.substr(back.find("/oauth/")), {{"Cookie", cookie}});
    EXPECT_EQ(consent->status, 200);
    const std::string form = request.authorize_url.substr(request.authorize_url.find('?') + 1);
    auto approved = client_->Post("/oauth/authorize", {{"Cookie", cookie}}, form,
                                  "application/x-www-form-urlencoded");
    EXPECT_EQ(approved->status, 302);
    return approved->get_header_value("Location");
  }

  OAuthApp RegisterApp() {
    const Reply reply =
        Post("/api/v4/applications",
             {{"name", "worklog"}, {"redirect_uri", kRedirect}, {"scopes", "api read_user"}});
    EXPECT_EQ(reply.status, 201) << reply.text;
    return OAuthApp{Base(), reply.body.value("application_id", ""), reply.body.value("secret", ""),
                    kRedirect};
  }

  OAuthClient MakeOAuthClient(const OAuthApp& app) {
    OAuthClientOptions options;
    options.sleeper = &sleeper_;
    options.clock = &clock_;
    return {transport_, app, options};
  }

  // alice, connected through OAuth: her tokens.
  TokenSet ConnectAlice(const OAuthApp& app) {
    MakeUser("alice");
    const AuthorizationRequest request = BeginAuthorization(app);
    const std::string redirect = AuthorizeInBrowser(request, "alice");
    EXPECT_EQ(QueryParam(redirect, "state"), request.state);
    auto tokens =
        MakeOAuthClient(app).ExchangeCode(QueryParam(redirect, "code"), request.code_verifier);
    EXPECT_TRUE(tokens) << tokens.error().message;
    return tokens ? *tokens : TokenSet{};
  }

  CurlTransport transport_;
  RecordingSleeper sleeper_{&clock_};
};

TEST_F(SimClientTest, OAuthConnectRefreshAndRevokeEndToEnd) {
  const OAuthApp app = RegisterApp();
  const TokenSet first = ConnectAlice(app);
  ASSERT_FALSE(first.access_token.empty());
  EXPECT_EQ(first.expires_in, std::chrono::seconds(7200));

  Client alice(transport_, Base(), first.access_token, Options());
  const auto me = alice.CurrentUser();
  ASSERT_TRUE(me) << me.error().message;
  EXPECT_EQ(me->username, "alice");
  EXPECT_EQ(me->email, "alice@example.com");

  const OAuthClient oauth = MakeOAuthClient(app);
  const auto second = oauth.Refresh(first.refresh_token);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(second->refresh_token, first.refresh_token);

  // Rotation: the old pair is dead.
  const auto stale_call = alice.CurrentUser();
  ASSERT_FALSE(stale_call);
  EXPECT_EQ(stale_call.error().code, ErrorCode::kUnauthenticated);
  const auto stale_refresh = oauth.Refresh(first.refresh_token);
  ASSERT_FALSE(stale_refresh);
  EXPECT_EQ(stale_refresh.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(stale_refresh.error().message, HasSubstr("re-authorization needed"));
  EXPECT_THAT(stale_refresh.error().message, ::testing::Not(HasSubstr(first.refresh_token)));

  alice.SetAccessToken(second->access_token);
  ASSERT_TRUE(alice.CurrentUser());
  ASSERT_TRUE(oauth.Revoke(second->access_token));
  const auto revoked = alice.CurrentUser();
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(revoked.error().message, ::testing::Not(HasSubstr(second->access_token)));
}

TEST_F(SimClientTest, ExpiredAccessTokenIsRefreshedOnceAndTheCallSucceeds) {
  const OAuthApp app = RegisterApp();
  TokenSet stored = ConnectAlice(app);
  const OAuthClient oauth = MakeOAuthClient(app);
  int refreshes = 0;
  ClientOptions options = Options();
  options.refresh = [&]() -> Result<std::string> {
    ++refreshes;
    auto fresh = oauth.Refresh(stored.refresh_token);
    if (!fresh) {
      return tl::unexpected(fresh.error());
    }
    stored = *fresh;  // the caller persists the rotated pair
    return fresh->access_token;
  };
  Client alice(transport_, Base(), stored.access_token, options);

  ASSERT_EQ(Post("/-/sim/users/alice/expire_tokens", json::object()).status, 200);
  const auto me = alice.CurrentUser();

  ASSERT_TRUE(me) << me.error().message;
  EXPECT_EQ(me->username, "alice");
  EXPECT_EQ(refreshes, 1);
}

TEST_F(SimClientTest, RevokedGrantMeansReauthorizationNeeded) {
  const OAuthApp app = RegisterApp();
  const TokenSet stored = ConnectAlice(app);
  const OAuthClient oauth = MakeOAuthClient(app);
  ClientOptions options = Options();
  options.refresh = [&]() -> Result<std::string> {
    auto fresh = oauth.Refresh(stored.refresh_token);
    if (!fresh) {
      return tl::unexpected(fresh.error());
    }
    return fresh->access_token;
  };
  Client alice(transport_, Base(), stored.access_token, options);

  ASSERT_EQ(Post("/-/sim/users/alice/revoke_tokens", json::object()).status, 200);
  const auto me = alice.CurrentUser();

  ASSERT_FALSE(me);
  EXPECT_EQ(me.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(me.error().message, HasSubstr("re-authorization needed"));
  EXPECT_THAT(me.error().message, ::testing::Not(HasSubstr(stored.access_token)));
  EXPECT_THAT(me.error().message, ::testing::Not(HasSubstr(stored.refresh_token)));
}

TEST_F(SimClientTest, OwnedProjectsAndEventsArePagedToTheEnd) {
  const int64_t alice = MakeUser("alice");
  const int64_t group = MakeGroup("team");
  AddGroupMember(group, alice, 30);
  std::vector<int64_t> owned;
  owned.reserve(5);
  for (int i = 0; i < 5; ++i) {
    owned.push_back(MakeProject("p" + std::to_string(i)));
  }
  MakeProject("developer-only", group);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Commit(owned[0], "main", "PROJ-" + std::to_string(i) + " work").status, 201);
  }
  ClientOptions options = Options();
  options.per_page = 2;
  Client root = RootClient(options);

  const auto projects = root.OwnedProjects();
  const auto events = root.ProjectEvents(owned[0], {});

  ASSERT_TRUE(projects) << projects.error().message;
  std::vector<int64_t> ids;
  for (const auto& project : *projects) {
    ids.push_back(project.id);
    EXPECT_GE(project.access_level, kAccessOwner);
  }
  // root is an administrator and owns the group's project too (as on GitLab).
  EXPECT_THAT(ids, ::testing::IsSupersetOf(owned));
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_GE(events->size(), 5u);
  for (const auto& event : *events) {
    EXPECT_TRUE(json::parse(event.json).contains("action_name")) << event.json;
    EXPECT_GT(event.id, 0) << event.json;
    EXPECT_TRUE(event.created_at.has_value()) << event.json;
  }
}

TEST_F(SimClientTest, PushedCommitsMergeRequestsMembersAndUsersAreRead) {
  const int64_t alice = MakeUser("alice", /*public_email=*/true);
  const int64_t project = MakeProject("shop");
  AddProjectMember(project, alice, 30);
  const Reply pushed = Post("/-/sim/projects/" + std::to_string(project) + "/push",
                            {{"branch", "main"},
                             {"commits",
                              {{{"message", "PROJ-1 first"},
                                {"author_name", "Alice"},
                                {"author_email", "alice@example.com"}},
                               {{"message", "PROJ-1 second"},
                                {"author_name", "Alice"},
                                {"author_email", "alice@example.com"}}}}});
  ASSERT_EQ(pushed.status, 201) << pushed.text;
  const std::string before = pushed.body[0]["parent_ids"][0];
  const std::string after = pushed.body[1]["id"];
  Client root = RootClient();

  const auto range = root.CommitRange(project, before, after);
  const auto members = root.ProjectMembers(project);
  const auto users = root.SearchUsers("alice");

  ASSERT_TRUE(range) << range.error().message;
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].title, "PROJ-1 second");  // newest first
  EXPECT_EQ((*range)[1].author_email, "alice@example.com");
  ASSERT_TRUE(members) << members.error().message;
  EXPECT_THAT(*members, ::testing::Contains(::testing::Field(&Member::username, "alice")));
  ASSERT_TRUE(users) << users.error().message;
  EXPECT_THAT(*users, ::testing::Contains(::testing::Field(&GitlabUser::id, alice)));
}

TEST_F(SimClientTest, HooksAreCreatedListedAndDeleted) {
  const int64_t project = MakeProject("shop");
  Client root = RootClient();
  HookSpec spec;
  spec.url = "http://127.0.0.1:1/hooks/gitlab";
  spec.token = "hook-secret";

  const auto created = root.CreateProjectHook(project, spec);
  ASSERT_TRUE(created) << created.error().message;
  const auto listed = root.ListProjectHooks(project);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].url, spec.url);
  EXPECT_TRUE((*listed)[0].push_events);
  EXPECT_TRUE((*listed)[0].note_events);
  ASSERT_TRUE(root.DeleteProjectHook(project, created->id));
  ASSERT_TRUE(root.DeleteProjectHook(project, created->id));  // already gone: fine
  const auto after = root.ListProjectHooks(project);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST_F(SimClientTest, RateLimitFaultIsWaitedOutAsRetryAfterSays) {
  Fault({{"kind", "status"}, {"status", 429}, {"retry_after", 7}, {"count", 2}});

  const auto me = RootClient().CurrentUser();

  ASSERT_TRUE(me) << me.error().message;
  EXPECT_THAT(sleeper_.waits(), ::testing::ElementsAre(milliseconds(7000), milliseconds(7000)));
}

TEST_F(SimClientTest, RateLimitLongerThanWeWaitGivesUpWithWhenToRetry) {
  Fault({{"kind", "status"}, {"status", 429}, {"retry_after", 86400}});

  const auto me = RootClient().CurrentUser();

  ASSERT_FALSE(me);
  EXPECT_EQ(me.error().code, ErrorCode::kRateLimited);
  EXPECT_THAT(me.error().message, HasSubstr("retry after 2024-06-04T12:00:00Z"));
}

TEST_F(SimClientTest, ServerErrorFaultIsRetried) {
  MakeProject("shop");
  Fault({{"kind", "status"}, {"status", 500}, {"path_prefix", "/api/v4/projects"}});

  const auto projects = RootClient().OwnedProjects();

  ASSERT_TRUE(projects) << projects.error().message;
  EXPECT_EQ(projects->size(), 1u);
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

TEST_F(SimClientTest, LastingOutageGivesUpAsUnavailable) {
  Fault({{"kind", "status"}, {"status", 503}, {"count", 50}});

  const auto me = RootClient(Options(3)).CurrentUser();

  ASSERT_FALSE(me);
  EXPECT_EQ(me.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(me.error().message, HasSubstr("gave up after 3 attempts"));
  EXPECT_THAT(me.error().message, ::testing::Not(HasSubstr(kRootToken)));
}

TEST_F(SimClientTest, TruncatedBodyIsRetried) {
  for (int i = 0; i < 3; ++i) {
    MakeProject("p" + std::to_string(i));
  }
  Fault({{"kind", "truncate"}});

  const auto projects = RootClient().OwnedProjects();

  ASSERT_TRUE(projects) << projects.error().message;
  EXPECT_EQ(projects->size(), 3u);
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

TEST_F(SimClientTest, SlowAnswerTimesOutAndIsRetried) {
  Fault({{"kind", "delay"}, {"delay_ms", 3000}});
  ClientOptions options = Options();
  options.total_timeout = milliseconds(300);

  const auto me = RootClient(options).CurrentUser();

  ASSERT_TRUE(me) << me.error().message;
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

}  // namespace
}  // namespace worklog::gitlab

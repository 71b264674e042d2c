#include <algorithm>
#include <set>

#include "gitlab-sim/sim_test_util.h"

namespace worklog::gitlab_sim::testing {
namespace {

std::set<std::string> Paths(const json& projects) {
  std::set<std::string> out;
  for (const json& p : projects) {
    out.insert(p["path_with_namespace"].get<std::string>());
  }
  return out;
}

using ApiTest = SimTest;

TEST_F(ApiTest, VersionNeedsATokenAndNamesTheGitLabVersion) {
  EXPECT_EQ(Get("/api/v4/version", "", "").status, 401);
  const Reply r = Get("/api/v4/version");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["version"], "17.6.0");
}

TEST_F(ApiTest, UnknownTokenIsUnauthorizedWithGitLabsMessage) {
  const Reply r = Get("/api/v4/user", "", "glpat-nope");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body["message"], "401 Unauthorized");
}

TEST_F(ApiTest, OffsetPaginationSendsGitLabsHeaders) {
  for (int i = 0; i < 25; ++i) {
    MakeProject("p" + std::to_string(i));
  }
  const Reply page2 = Get("/api/v4/projects?per_page=10&page=2&simple=true");
  ASSERT_EQ(page2.status, 200);
  EXPECT_EQ(page2.body.size(), 10U);
  EXPECT_EQ(page2.Header("X-Page"), "2");
  EXPECT_EQ(page2.Header("X-Per-Page"), "10");
  EXPECT_EQ(page2.Header("X-Next-Page"), "3");
  EXPECT_EQ(page2.Header("X-Prev-Page"), "1");
  EXPECT_EQ(page2.Header("X-Total"), "25");
  EXPECT_EQ(page2.Header("X-Total-Pages"), "3");
  const std::string link = page2.Header("Link");
  EXPECT_NE(link.find("page=3&per_page=10>; rel=\"next\""), std::string::npos) << link;
  EXPECT_NE(link.find("page=1&per_page=10>; rel=\"prev\""), std::string::npos) << link;
  EXPECT_NE(link.find("rel=\"first\""), std::string::npos) << link;
  EXPECT_NE(link.find("page=3&per_page=10>; rel=\"last\""), std::string::npos) << link;
  EXPECT_NE(link.find("simple=true"), std::string::npos) << link;

  const Reply last = Get("/api/v4/projects?per_page=10&page=3");
  EXPECT_EQ(last.body.size(), 5U);
  EXPECT_EQ(last.Header("X-Next-Page"), "");
  EXPECT_EQ(last.Header("Link").find("rel=\"next\""), std::string::npos);

  EXPECT_EQ(Get("/api/v4/projects").body.size(), 20U);  // default per_page
  EXPECT_EQ(Get("/api/v4/projects?per_page=500").Header("X-Per-Page"), "100");
}

TEST_F(ApiTest, KeysetPaginationFollowsLinkUntilItIsGone) {
  for (int i = 0; i < 23; ++i) {
    MakeProject("k" + std::to_string(i));
  }
  std::vector<std::int64_t> ids;
  std::string next = "/api/v4/projects?pagination=keyset&order_by=id&sort=asc&per_page=10";
  int pages = 0;
  while (!next.empty() && pages < 10) {
    const Reply r = Get(next);
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_FALSE(r.HasHeader("X-Total"));
    for (const json& p : r.body) {
      ids.push_back(p["id"].get<std::int64_t>());
    }
    const std::string link = r.Header("Link");
    next.clear();
    if (!link.empty()) {
      EXPECT_NE(link.find("id_after="), std::string::npos);
      const auto start = link.find("/api/v4/");
      next = link.substr(start, link.find('>') - start);
    }
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 23U);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), 23U);
  EXPECT_EQ(Get("/api/v4/projects?pagination=keyset&order_by=name").status, 405);
}

TEST_F(ApiTest, MinAccessLevelOwnerIncludesProjectsOwnedThroughGroupsAndSubgroups) {
  const auto alice = MakeUser("alice");
  const auto bob = MakeUser("bob");
  const auto top = MakeGroup("top");
  const auto sub = MakeGroup("sub", top);
  const auto other = MakeGroup("other");
  AddGroupMember(top, alice, 50);
  AddGroupMember(top, bob, 30);
  MakeProject("in-top", top);
  MakeProject("in-sub", sub);
  const auto elsewhere = MakeProject("elsewhere", other);
  AddProjectMember(elsewhere, bob, 40);
  MakeProject("personal", std::nullopt, "alice");

  EXPECT_EQ(Paths(Get("/api/v4/projects?min_access_level=50", "alice").body),
            (std::set<std::string>{"top/in-top", "top/sub/in-sub", "alice/personal"}));
  EXPECT_TRUE(Get("/api/v4/projects?min_access_level=50", "bob").body.empty());
  EXPECT_EQ(Paths(Get("/api/v4/projects?min_access_level=40", "bob").body),
            (std::set<std::string>{"other/elsewhere"}));
  EXPECT_EQ(Paths(Get("/api/v4/projects?membership=true", "bob").body),
            (std::set<std::string>{"top/in-top", "top/sub/in-sub", "other/elsewhere"}));
  // owned=true: the user's namespace and groups they own directly.
  EXPECT_EQ(Paths(Get("/api/v4/projects?owned=true", "alice").body),
            (std::set<std::string>{"top/in-top", "alice/personal"}));
  // The permissions block says where the access comes from.
  const Reply in_sub = Get("/api/v4/projects/top%2Fsub%2Fin-sub", "alice");
  ASSERT_EQ(in_sub.status, 200) << in_sub.text;
  EXPECT_EQ(in_sub.body["permissions"]["group_access"]["access_level"], 50);
  EXPECT_TRUE(in_sub.body["permissions"]["project_access"].is_null());
}

TEST_F(ApiTest, OutsidersGetNotFoundAndDevelopersCannotManageHooks) {
  MakeUser("carol");
  const auto dev = MakeUser("dev");
  const auto project = MakeProject("secret");
  AddProjectMember(project, dev, 30);
  const std::string path = "/api/v4/projects/" + std::to_string(project);
  const Reply outsider = Get(path, "carol");
  EXPECT_EQ(outsider.status, 404);
  EXPECT_EQ(outsider.body["message"], "404 Project Not Found");
  EXPECT_TRUE(Get("/api/v4/projects", "carol").body.empty());
  EXPECT_EQ(Get(path + "/hooks", "dev").status, 403);
  EXPECT_EQ(Post(path + "/hooks", {{"url", "http://127.0.0.1:9/x"}}, "dev").status, 403);
  EXPECT_EQ(Get(path, "dev").status, 200);
}

TEST_F(ApiTest, DeletingAProjectNeedsOwnerAndRemovesItsEventsAndHooks) {
  const auto dev = MakeUser("dev");
  const auto project = MakeProject("doomed");
  AddProjectMember(project, dev, 40);
  const std::string path = "/api/v4/projects/" + std::to_string(project);
  ASSERT_EQ(Post(path + "/hooks", {{"url", "http://127.0.0.1:9/x"}}).status, 201);
  EXPECT_EQ(Delete(path, "dev").status, 403);
  const Reply deleted = Delete(path);
  EXPECT_EQ(deleted.status, 202);
  EXPECT_EQ(deleted.body["message"], "202 Accepted");
  EXPECT_EQ(Get(path).status, 404);
  EXPECT_EQ(Get(path + "/events").status, 404);
  EXPECT_EQ(Get(path + "/hooks").status, 404);
  EXPECT_EQ(Delete(path).status, 404);
}

TEST_F(ApiTest, OnlyPublicEmailsAreVisibleAndSearchableToNonAdministrators) {
  MakeUser("pub", true);
  MakeUser("priv", false);
  MakeUser("viewer");
  // A private address: invisible to a user, found by an administrator.
  EXPECT_TRUE(Get("/api/v4/users?search=priv@example.com", "viewer").body.empty());
  const Reply admin = Get("/api/v4/users?search=priv@example.com");
  ASSERT_EQ(admin.body.size(), 1U);
  EXPECT_EQ(admin.body[0]["email"], "priv@example.com");
  // A public address matches in full only.
  const Reply full = Get("/api/v4/users?search=pub@example.com", "viewer");
  ASSERT_EQ(full.body.size(), 1U);
  EXPECT_EQ(full.body[0]["username"], "pub");
  EXPECT_FALSE(full.body[0].contains("email"));
  EXPECT_TRUE(Get("/api/v4/users?search=pub@example", "viewer").body.empty());
  // Name and username match partially.
  EXPECT_EQ(Get("/api/v4/users?search=PRI", "viewer").body.size(), 1U);
  const Reply exact = Get("/api/v4/users?username=PUB", "viewer");
  ASSERT_EQ(exact.body.size(), 1U);
  const std::string id = std::to_string(exact.body[0]["id"].get<int>());
  const Reply profile = Get("/api/v4/users/" + id, "viewer");
  EXPECT_EQ(profile.body["public_email"], "pub@example.com");
  EXPECT_FALSE(profile.body.contains("email"));
  const Reply me = Get("/api/v4/user", "priv");
  EXPECT_EQ(me.body["email"], "priv@example.com");
  EXPECT_TRUE(me.body["public_email"].is_null());
  EXPECT_EQ(Get("/api/v4/user/emails", "priv").body[0]["email"], "priv@example.com");
}

TEST_F(ApiTest, SudoNeedsAnAdministratorAndAKnownUser) {
  MakeUser("alice");
  MakeUser("bob");
  const Reply pat =
      Post("/api/v4/users/2/personal_access_tokens", {{"name", "t"}, {"scopes", {"api", "sudo"}}});
  ASSERT_EQ(pat.status, 201) << pat.text;
  const std::string alice_token = pat.body["token"];
  EXPECT_EQ(Get("/api/v4/user", "bob", alice_token).status, 403);
  EXPECT_EQ(Get("/api/v4/user", "nobody").status, 404);
  EXPECT_EQ(Get("/api/v4/user", "bob").body["username"], "bob");
  EXPECT_EQ(Get("/api/v4/user", "", alice_token).body["username"], "alice");
}

TEST_F(ApiTest, ReadOnlyTokenCannotWrite) {
  MakeUser("alice");
  const Reply pat =
      Post("/api/v4/users/2/personal_access_tokens", {{"name", "ro"}, {"scopes", {"read_api"}}});
  const std::string token = pat.body["token"];
  EXPECT_EQ(Get("/api/v4/projects", "", token).status, 200);
  const Reply write = Post("/api/v4/projects", {{"name", "x"}}, "", token);
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(write.body["error"], "insufficient_scope");
}

TEST_F(ApiTest, EventsHaveGitLabActionNamesAndDatesAreExclusive) {
  const auto dev = MakeUser("dev");
  const auto project = MakeProject("app");
  AddProjectMember(project, dev, 40);
  const std::string p = "/api/v4/projects/" + std::to_string(project);
  ASSERT_EQ(Commit(project, "feature/ABC-1", "ABC-1 start", "dev", "2024-05-01T09:00:00Z").status,
            201);
  ASSERT_EQ(Commit(project, "feature/ABC-1", "ABC-1 more", "dev", "2024-05-02T09:00:00Z").status,
            201);
  const Reply mr = Post(p + "/merge_requests",
                        {{"source_branch", "feature/ABC-1"},
                         {"target_branch", "main"},
                         {"title", "ABC-1 feature"},
                         {"created_at", "2024-05-02T10:00:00Z"}},
                        "dev");
  ASSERT_EQ(mr.status, 201) << mr.text;
  ASSERT_EQ(Post(p + "/merge_requests/1/notes",
                 {{"body", "nice"}, {"created_at", "2024-05-03T10:00:00Z"}}, "root")
                .status,
            201);
  ASSERT_EQ(Post(p + "/merge_requests/1/approve", {{"created_at", "2024-05-03T11:00:00Z"}}, "root")
                .status,
            201);
  ASSERT_EQ(
      Put(p + "/merge_requests/1/merge", {{"created_at", "2024-05-03T12:00:00Z"}}, "dev").status,
      200);

  const Reply all = Get(p + "/events?after=2024-04-30&before=2024-05-04&sort=asc");
  std::vector<std::string> names;
  for (const json& e : all.body) {
    names.push_back(e["action_name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"pushed new", "pushed to", "opened", "commented on",
                                             "approved", "pushed to", "accepted"}));
  EXPECT_EQ(all.body[0]["push_data"]["ref"], "feature/ABC-1");
  EXPECT_EQ(all.body[0]["push_data"]["action"], "created");
  EXPECT_TRUE(all.body[0]["push_data"]["commit_from"].is_null());
  EXPECT_EQ(all.body[3]["target_type"], "Note");
  EXPECT_EQ(all.body[3]["note"]["noteable_type"], "MergeRequest");
  EXPECT_EQ(all.body[3]["note"]["body"], "nice");
  EXPECT_EQ(all.body[6]["target_type"], "MergeRequest");

  // `after` excludes its whole day, `before` excludes its whole day.
  const Reply day2 = Get(p + "/events?after=2024-05-01&before=2024-05-03");
  EXPECT_EQ(day2.body.size(), 2U);
  EXPECT_EQ(Get(p + "/events?action=merged").body[0]["action_name"], "accepted");
  EXPECT_EQ(Get(p + "/events?target_type=merge_request&after=2024-04-30").body.size(), 3U);
  EXPECT_EQ(Get(p + "/events?after=not-a-date").status, 400);
}

TEST_F(ApiTest, CommitsFilterByRefAndInclusiveTimes) {
  const Reply made = Post(
      "/api/v4/projects",
      {{"name", "repo"}, {"initialize_with_readme", true}, {"created_at", "2024-04-01T00:00:00Z"}});
  ASSERT_EQ(made.status, 201);
  const std::int64_t project = made.body["id"];
  const std::string p = "/api/v4/projects/" + std::to_string(project);
  ASSERT_EQ(Commit(project, "main", "one", "", "2024-05-01T09:00:00Z").status, 201);
  ASSERT_EQ(Commit(project, "topic", "two", "", "2024-05-02T09:00:00Z").status, 201);
  const Reply created = Commit(project, "topic", "three", "", "2024-05-03T09:00:00Z");
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(created.body["author_email"], "admin@example.com");

  auto titles = [](const json& commits) {
    std::vector<std::string> out;
    for (const json& c : commits) {
      out.push_back(c["title"]);
    }
    return out;
  };
  EXPECT_EQ(titles(Get(p + "/repository/commits").body),
            (std::vector<std::string>{"one", "Initial commit"}));
  EXPECT_EQ(titles(Get(p + "/repository/commits?ref_name=topic&since=2024-05-01T09:00:00Z").body),
            (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(titles(Get(p + "/repository/commits?ref_name=topic&until=2024-05-02T09:00:00Z&"
                           "since=2024-05-02T09:00:00Z")
                       .body),
            (std::vector<std::string>{"two"}));
  EXPECT_EQ(Get(p + "/repository/commits?all=true").body.size(), 4U);
  EXPECT_EQ(Get(p + "/repository/commits?ref_name=nope").status, 404);
  const std::string sha = created.body["id"];
  const Reply one = Get(p + "/repository/commits/" + sha.substr(0, 8));
  EXPECT_EQ(one.body["id"], sha);
  EXPECT_EQ(one.body["created_at"], one.body["committed_date"]);
  EXPECT_TRUE(one.body.contains("stats"));
}

TEST_F(ApiTest, MergeRequestsFilterByStateAndUpdatedAfter) {
  const auto project = MakeProject("mrs");
  const std::string p = "/api/v4/projects/" + std::to_string(project);
  for (int i = 1; i <= 3; ++i) {
    const std::string branch = "b" + std::to_string(i);
    ASSERT_EQ(Commit(project, branch, "work " + branch).status, 201);
    ASSERT_EQ(Post(p + "/merge_requests",
                   {{"source_branch", branch},
                    {"target_branch", "main"},
                    {"title", "MR " + branch},
                    {"created_at", "2024-05-0" + std::to_string(i) + "T10:00:00Z"}})
                  .status,
              201);
  }
  ASSERT_EQ(Put(p + "/merge_requests/2",
                {{"state_event", "close"}, {"updated_at", "2024-05-10T10:00:00Z"}})
                .status,
            200);
  ASSERT_EQ(Put(p + "/merge_requests/3/merge", json::object()).status, 200);
  EXPECT_EQ(Get(p + "/merge_requests?state=opened").body.size(), 1U);
  EXPECT_EQ(Get(p + "/merge_requests?state=closed").body[0]["iid"], 2);
  EXPECT_EQ(Get(p + "/merge_requests?state=merged").body[0]["iid"], 3);
  const Reply updated =
      Get(p +
          "/merge_requests?state=all&updated_after=2024-05-05T00:00:00Z&order_by=updated_at"
          "&sort=asc");
  ASSERT_EQ(updated.body.size(), 2U);
  EXPECT_EQ(updated.body[0]["iid"], 2);
  EXPECT_EQ(updated.body[1]["iid"], 3);
  EXPECT_EQ(Put(p + "/merge_requests/3/merge", json::object()).status, 405);
}

TEST_F(ApiTest, DevelopersCannotPushToTheProtectedDefaultBranch) {
  const auto dev = MakeUser("dev");
  const auto project = MakeProject("guarded");
  AddProjectMember(project, dev, 30);
  EXPECT_EQ(Commit(project, "main", "direct", "dev").status, 403);
  EXPECT_EQ(Commit(project, "feature/x", "branch", "dev").status, 201);
}

TEST_F(ApiTest, HooksCrudNeverReturnsTheToken) {
  const auto project = MakeProject("hooked");
  const std::string p = "/api/v4/projects/" + std::to_string(project);
  const Reply created = Post(
      p + "/hooks",
      {{"url", "http://127.0.0.1:9/hook"}, {"token", "s3cret"}, {"merge_requests_events", true}});
  ASSERT_EQ(created.status, 201) << created.text;
  EXPECT_FALSE(created.body.contains("token"));
  EXPECT_EQ(created.body["alert_status"], "executable");
  const std::string h = p + "/hooks/" + std::to_string(created.body["id"].get<int>());
  EXPECT_EQ(Put(h, {{"note_events", true}}).body["note_events"], true);
  EXPECT_EQ(Get(p + "/hooks").body.size(), 1U);
  EXPECT_EQ(Delete(h).status, 204);
  EXPECT_EQ(Get(h).status, 404);
}

}  // namespace
}  // namespace worklog::gitlab_sim::testing

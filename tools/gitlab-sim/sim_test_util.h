#pragma once

// Test helpers for the simulator's own tests: a started simulator on 127.0.0.1:0 with a fake
// clock, and a small JSON client for its API.

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "gitlab-sim/sim.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim::testing {

using nlohmann::json;

inline constexpr const char* kRootToken = "glpat-root-token-for-tests";

struct Reply {  // NOLINT(bugprone-exception-escape): json members
  int status = 0;
  json body;
  std::string text;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  bool HasHeader(const std::string& name) const { return headers.count(name) != 0; }
};

class SimTest : public ::testing::Test {
 protected:
  SimTest() : clock_(*ParseTime("2024-06-03T12:00:00Z")) {}

  void SetUp() override { StartSim(Seed::kEmpty); }
  void TearDown() override {
    if (sim_) {
      sim_->Stop();
    }
  }

  void StartSim(Seed seed) {
    if (sim_) {
      sim_->Stop();
    }
    SimOptions options;
    options.seed = seed;
    options.root_token = kRootToken;
    options.clock = &clock_;
    options.hook_timeout = std::chrono::milliseconds{3000};
    options.hook_retry_delays = {std::chrono::milliseconds{10}, std::chrono::milliseconds{10}};
    options.threads = 4;
    sim_ = std::make_unique<GitLabSim>(options);
    ASSERT_TRUE(sim_->Start().has_value());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
    client_->set_read_timeout(20, 0);
  }

  httplib::Headers AuthHeaders(const std::string& token, const std::string& sudo) const {
    httplib::Headers headers;
    if (!token.empty()) {
      headers.emplace("PRIVATE-TOKEN", token);
    }
    if (!sudo.empty()) {
      headers.emplace("Sudo", sudo);
    }
    return headers;
  }

  static Reply ToReply(const httplib::Result& result) {
    Reply reply;
    if (!result) {
      return reply;
    }
    reply.status = result->status;
    reply.text = result->body;
    reply.headers = result->headers;
    reply.body = json::parse(result->body, nullptr, false);
    return reply;
  }

  Reply Get(const std::string& path, const std::string& sudo = "",
            const std::string& token = kRootToken) {
    return ToReply(client_->Get(path, AuthHeaders(token, sudo)));
  }
  Reply Post(const std::string& path, const json& body, const std::string& sudo = "",
             const std::string& token = kRootToken) {
    return ToReply(client_->Post(path, AuthHeaders(token, sudo), body.dump(), "application/json"));
  }
  Reply Put(const std::string& path, const json& body, const std::string& sudo = "",
            const std::string& token = kRootToken) {
    return ToReply(client_->Put(path, AuthHeaders(token, sudo), body.dump(), "application/json"));
  }
  Reply Delete(const std::string& path, const std::string& sudo = "",
               const std::string& token = kRootToken) {
    return ToReply(client_->Delete(path, AuthHeaders(token, sudo)));
  }

  // Creates a user (password "password-123") and returns its id.
  std::int64_t MakeUser(const std::string& username, bool public_email = false) {
    const std::string email = username + "@example.com";
    json body{{"username", username},
              {"name", "User " + username},
              {"email", email},
              {"password", "password-123"}};
    if (public_email) {
      body["public_email"] = email;
    }
    const Reply r = Post("/api/v4/users", body);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }

  std::int64_t MakeGroup(const std::string& path, std::optional<std::int64_t> parent = {},
                         const std::string& sudo = "") {
    json body{{"name", path}, {"path", path}};
    if (parent) {
      body["parent_id"] = *parent;
    }
    const Reply r = Post("/api/v4/groups", body, sudo);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }

  std::int64_t MakeProject(const std::string& path, std::optional<std::int64_t> namespace_id = {},
                           const std::string& sudo = "") {
    json body{{"name", path}, {"path", path}, {"initialize_with_readme", true}};
    if (namespace_id) {
      body["namespace_id"] = *namespace_id;
    }
    const Reply r = Post("/api/v4/projects", body, sudo);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", std::int64_t{0});
  }

  void AddGroupMember(std::int64_t group, std::int64_t user, int level) {
    const Reply r = Post("/api/v4/groups/" + std::to_string(group) + "/members",
                         {{"user_id", user}, {"access_level", level}});
    EXPECT_EQ(r.status, 201) << r.text;
  }
  void AddProjectMember(std::int64_t project, std::int64_t user, int level) {
    const Reply r = Post("/api/v4/projects/" + std::to_string(project) + "/members",
                         {{"user_id", user}, {"access_level", level}});
    EXPECT_EQ(r.status, 201) << r.text;
  }

  Reply Commit(std::int64_t project, const std::string& branch, const std::string& message,
               const std::string& sudo = "", const std::string& created_at = "") {
    json body{{"branch", branch},
              {"commit_message", message},
              {"actions",
               {{{"action", "create"},
                 {"file_path", "f" + std::to_string(++files_) + ".txt"},
                 {"content", message}}}}};
    if (branch != "main") {
      body["start_branch"] = "main";
    }
    if (!created_at.empty()) {
      body["created_at"] = created_at;
    }
    return Post("/api/v4/projects/" + std::to_string(project) + "/repository/commits", body, sudo);
  }

  FakeClock clock_;
  std::unique_ptr<GitLabSim> sim_;
  std::unique_ptr<httplib::Client> client_;
  int files_ = 0;
};

// Polls `condition` until it holds or `timeout` passes.
template <typename F>
bool Eventually(F condition, std::chrono::milliseconds timeout = std::chrono::seconds{15}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return condition();
}

}  // namespace worklog::gitlab_sim::testing

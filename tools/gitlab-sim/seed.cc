// `--seed demo`: 3 groups (one a subgroup), 8 projects, 12 users and 30 days of activity made
// through the same operations the API uses, from a fixed random seed.

#include <array>
#include <chrono>
#include <random>

#include <date/date.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gitlab-sim/impl.h"

namespace worklog::gitlab_sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr const char* kDemoPassword = "worklog-demo";

struct DemoUser {
  const char* username;
  const char* name;
  bool public_email;
  const char* role;
};

constexpr std::array<DemoUser, 12> kUsers{{
    {"alice", "Alice Andersen", true, "Owner of acme (connect the organization as her)"},
    {"bob", "Bob Brown", false, "Owner of labs"},
    {"carol", "Carol Chen", true, "Developer, acme"},
    {"dave", "Dave Dubois", false, "Developer, acme"},
    {"erin", "Erin Evans", true, "Maintainer, acme/platform"},
    {"frank", "Frank Fischer", false, "Developer, acme (commits with a second e-mail)"},
    {"grace", "Grace Green", true, "Developer, acme/platform"},
    {"heidi", "Heidi Hansen", false, "Developer, acme/platform"},
    {"ivan", "Ivan Ivanov", true, "Developer, labs"},
    {"judy", "Judy Jones", false, "Developer, labs"},
    {"mallory", "Mallory Miller", false, "Reporter, acme (no activity)"},
    {"oscar", "Oscar Olsen", false, "Guest, labs (no activity)"},
}};

struct DemoProject {
  const char* group;  // full path, or "alice" for the personal project
  const char* path;
  const char* name;
  const char* key;  // Jira project key used in branches and messages
  const char* merger;
  std::array<const char*, 3> developers;
};

constexpr std::array<DemoProject, 8> kProjects{{
    {"acme", "website", "Website", "WEB", "alice", {"carol", "dave", nullptr}},
    {"acme", "docs", "Docs", "DOC", "alice", {"carol", nullptr, nullptr}},
    {"acme", "mobile-app", "Mobile App", "MOB", "alice", {"dave", "frank", nullptr}},
    {"acme/platform", "api", "API", "API", "erin", {"erin", "grace", "alice"}},
    {"acme/platform", "billing", "Billing", "BILL", "erin", {"heidi", "erin", nullptr}},
    {"labs", "ml-pipeline", "ML Pipeline", "ML", "bob", {"ivan", "judy", nullptr}},
    {"labs", "prototype", "Prototype", "PROTO", "bob", {"judy", "bob", nullptr}},
    {"alice", "dotfiles", "dotfiles", "DOT", "alice", {"alice", nullptr, nullptr}},
}};

constexpr std::array<const char*, 12> kTopics{"login form",     "rate limits", "invoice export",
                                              "search filters", "error pages", "token refresh",
                                              "CSV import",     "dark mode",   "audit log",
                                              "retry policy",   "onboarding",  "caching layer"};
constexpr std::array<const char*, 8> kVerbs{"Add",     "Fix",    "Refactor", "Test",
                                            "Tidy up", "Update", "Document", "Speed up"};

std::string Slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class DemoSeeder {
 public:
  explicit DemoSeeder(GitLabSim::Impl& sim) : sim_(sim), state_(sim.state) {}

  void Run() {
    const TimePoint now = state_.Now();
    const auto today = date::floor<date::days>(now);
    start_ = std::chrono::time_point_cast<std::chrono::microseconds>(today - date::days{30});
    CreateUsers();
    CreateGroupsAndProjects();
    CreateIssues();
    for (int day = 0; day < 30; ++day) {
      SimulateDay(day, now);
    }
    CreateApplication();
  }

 private:
  Actor Root() const { return Actor{1, true}; }
  Actor As(const std::string& username) const {
    const User* user = state_.FindUserByUsername(username);
    return Actor{user->id, user->admin};
  }
  Id UserId(const std::string& username) const { return state_.FindUserByUsername(username)->id; }

  template <typename T>
  bool Check(const Result<T>& result, const char* what) {
    if (!result) {
      spdlog::warn("gitlab-sim demo seed: {} failed: {}", what, result.error().message);
      return false;
    }
    return true;
  }

  void CreateUsers() {
    for (const DemoUser& u : kUsers) {
      State::NewUser in;
      in.username = u.username;
      in.name = u.name;
      in.email = std::string(u.username) + "@acme.example";
      in.public_email = u.public_email ? in.email : "";
      in.password = kDemoPassword;
      in.created_at = start_ - date::days{90};
      if (Check(state_.CreateUser(in), "user") && std::string_view(u.username) == "frank") {
        (void)state_.AddEmail(UserId("frank"), "frank.fischer@users.example");
      }
      sim_.demo.accounts.push_back(DemoAccount{u.username, in.email, kDemoPassword, u.role});
    }
  }

  void CreateGroupsAndProjects() {
    const TimePoint created = start_ - date::days{60};
    auto group = [&](const char* name, const char* path, std::optional<Id> parent) -> Id {
      auto g = state_.CreateGroup(Root(), name, path, parent, "private", "", created);
      return Check(g, "group") ? (*g)->id : 0;
    };
    const Id acme = group("Acme", "acme", std::nullopt);
    const Id platform = group("Platform", "platform", acme);
    const Id labs = group("Labs", "labs", std::nullopt);
    auto member = [&](Id g, const char* user, int level) {
      Check(state_.AddGroupMember(Root(), g, UserId(user), level), "group member");
    };
    member(acme, "alice", kOwner);
    member(acme, "carol", kDeveloper);
    member(acme, "dave", kDeveloper);
    member(acme, "frank", kDeveloper);
    member(acme, "mallory", kReporter);
    member(platform, "erin", kMaintainer);
    member(platform, "grace", kDeveloper);
    member(platform, "heidi", kDeveloper);
    member(labs, "bob", kOwner);
    member(labs, "alice", kDeveloper);
    member(labs, "ivan", kDeveloper);
    member(labs, "judy", kDeveloper);
    member(labs, "oscar", kGuest);
    for (const DemoProject& p : kProjects) {
      const Namespace* ns = state_.FindNamespaceByPath(p.group);
      const bool personal = ns != nullptr && ns->kind == "user";
      const Actor creator = personal ? As(p.group) : Root();
      auto project =
          state_.CreateProject(creator, p.name, p.path, ns->id, "private",
                               std::string(p.name) + " (worklog demo)", "main", true, created);
      if (Check(project, "project")) {
        project_ids_.push_back((*project)->id);
      }
    }
  }

  void CreateIssues() {
    for (std::size_t i = 0; i < kProjects.size(); ++i) {
      const DemoProject& p = kProjects[i];
      for (int n = 1; n <= 2; ++n) {
        State::NewIssue issue;
        issue.title = fmt::format("{}-{} {}", p.key, 100 + n,
                                  kTopics[(i * 2 + static_cast<std::size_t>(n)) % kTopics.size()]);
        issue.description = "Tracked in Jira as " + fmt::format("{}-{}", p.key, 100 + n) + ".";
        issue.created_at = start_ + hours{9} + minutes{n * 7};
        Check(state_.CreateIssue(As(p.merger), project_ids_[i], issue), "issue");
      }
    }
  }

  // One developer's day: a few commits on a feature branch; every other working day the
  // branch's work ends in a merge request that a teammate comments on and approves and the
  // merger merges the next day.
  void SimulateDay(int day, TimePoint now) {
    const auto day_start = start_ + date::days{day};
    const date::weekday weekday{date::floor<date::days>(day_start)};
    if (weekday == date::Saturday || weekday == date::Sunday) {
      return;
    }
    FinishOpenMergeRequests(day_start, now);
    for (std::size_t i = 0; i < kProjects.size(); ++i) {
      const DemoProject& p = kProjects[i];
      for (const char* dev : p.developers) {
        if (dev == nullptr || Uniform(0, 99) < 25) {
          continue;
        }
        WorkOn(i, dev, day_start, now);
      }
    }
  }

  void WorkOn(std::size_t index, const std::string& dev, TimePoint day_start, TimePoint now) {
    const DemoProject& p = kProjects[index];
    const Id project_id = project_ids_[index];
    Branch& branch = branches_[{project_id, dev}];
    if (branch.name.empty()) {
      branch.key = fmt::format("{}-{}", p.key, next_key_[p.key]++ + 1);
      branch.topic = kTopics[static_cast<std::size_t>(Pick(kTopics.size()))];
      branch.name = "feature/" + branch.key + "-" + Slug(branch.topic);
      branch.days = 0;
    }
    TimePoint at = day_start + hours{8} + minutes{Uniform(0, 90)};
    const int commits = static_cast<int>(Uniform(2, 5));
    for (int c = 0; c < commits; ++c) {
      if (at > now) {
        return;
      }
      NewCommit commit;
      commit.branch = branch.name;
      commit.start_branch = "main";
      const std::string verb = kVerbs[static_cast<std::size_t>(Pick(kVerbs.size()))];
      commit.message = fmt::format("{} {} {}", branch.key, verb, branch.topic);
      const auto roll = Uniform(0, 99);
      if (roll < 6) {
        commit.message += fmt::format("\n\n{} #time {}h {}m {} {}", branch.key, Uniform(1, 2),
                                      15 * Uniform(0, 3), verb, branch.topic);
      } else if (roll < 9) {
        commit.message =
            fmt::format("{} {} {} #comment reviewed with the team", branch.key, verb, branch.topic);
      }
      commit.actions.push_back(
          CommitAction{"create", fmt::format("src/{}/{}-{}.txt", Slug(branch.topic), dev, files_++),
                       "", fmt::format("{}\n", commit.message)});
      if (dev == "frank" && Uniform(0, 1) == 0) {
        commit.author_email = "frank.fischer@users.example";
      }
      commit.created_at = at;
      Check(state_.CreateCommit(As(dev), project_id, commit), "commit");
      at += minutes{Uniform(20, 100)};
    }
    ++branch.days;
    if (branch.days >= 2 && Uniform(0, 1) == 0 && at <= now) {
      State::NewMergeRequest mr;
      mr.source_branch = branch.name;
      mr.target_branch = "main";
      mr.title = fmt::format("{}: {} {}", branch.key, "Deliver", branch.topic);
      mr.description = "Closes " + branch.key + ".";
      mr.created_at = at;
      auto created = state_.CreateMergeRequest(As(dev), project_id, mr);
      if (Check(created, "merge request")) {
        open_.push_back(OpenMr{project_id, (*created)->iid, index, dev});
      }
      branch = Branch{};
    }
  }

  void FinishOpenMergeRequests(TimePoint day_start, TimePoint now) {
    std::vector<OpenMr> still_open;
    for (const OpenMr& mr : open_) {
      const DemoProject& p = kProjects[mr.project_index];
      std::string reviewer = p.merger;
      for (const char* dev : p.developers) {
        if (dev != nullptr && dev != mr.author) {
          reviewer = dev;
          break;
        }
      }
      if (reviewer == mr.author) {
        reviewer = "alice" == mr.author ? "erin" : "alice";
      }
      TimePoint at = day_start + hours{10} + minutes{Uniform(0, 120)};
      if (at > now) {
        still_open.push_back(mr);
        continue;
      }
      const MergeRequest* m = state_.FindMergeRequest(mr.project_id, mr.iid);
      const Actor review_actor = As(reviewer);
      if (state_.ProjectAccess(review_actor.user_id, *state_.FindProject(mr.project_id)) >=
          kDeveloper) {
        Check(state_.CreateNote(review_actor, mr.project_id, "MergeRequest", std::to_string(mr.iid),
                                "Looks good overall; please double-check the edge cases.", at),
              "review note");
        at += minutes{Uniform(5, 40)};
        Check(state_.ApproveMergeRequest(review_actor, mr.project_id, mr.iid, at), "approval");
        at += minutes{Uniform(5, 60)};
      }
      if (m != nullptr && Uniform(0, 9) == 0) {
        Check(state_.UpdateMergeRequest(As(p.merger), mr.project_id, mr.iid, std::nullopt,
                                        std::nullopt, "close", at),
              "close");
        continue;
      }
      Check(state_.MergeMergeRequest(As(p.merger), mr.project_id, mr.iid, at, ""), "merge");
      // Now and then someone comments on the issue the work was for.
      if (Uniform(0, 2) == 0) {
        Check(
            state_.CreateNote(As(mr.author), mr.project_id, "Issue", std::to_string(Uniform(1, 2)),
                              "Progress update: the change is merged.", at + minutes{15}),
            "issue note");
      }
    }
    open_ = std::move(still_open);
  }

  void CreateApplication() {
    auto hex = [this] {
      return fmt::format("{:016x}{:016x}{:016x}{:016x}", rng_(), rng_(), rng_(), rng_());
    };
    const std::string uid = hex();
    const std::string secret = "gloas-" + hex();
    auto app = state_.CreateApplication("worklog (demo)", {sim_.options.oauth_redirect_uri},
                                        {"api", "read_api", "read_user"}, true, uid, secret);
    if (Check(app, "application")) {
      sim_.demo.oauth_application_id = (*app)->uid;
      sim_.demo.oauth_secret = (*app)->secret;
      sim_.demo.oauth_redirect_uri = sim_.options.oauth_redirect_uri;
    }
  }

  std::int64_t Uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  std::int64_t Pick(std::size_t count) { return Uniform(0, static_cast<std::int64_t>(count) - 1); }

  struct Branch {
    std::string name;
    std::string key;
    std::string topic;
    int days = 0;
  };
  struct OpenMr {
    Id project_id = 0;
    Id iid = 0;
    std::size_t project_index = 0;
    std::string author;
  };

  GitLabSim::Impl& sim_;
  State& state_;
  std::mt19937_64 rng_{42};
  TimePoint start_;
  std::vector<Id> project_ids_;
  std::map<std::pair<Id, std::string>, Branch> branches_;
  std::map<std::string, int> next_key_;
  std::vector<OpenMr> open_;
  int files_ = 0;
};

}  // namespace

void SeedDemo(GitLabSim::Impl& sim) { DemoSeeder(sim).Run(); }

}  // namespace worklog::gitlab_sim

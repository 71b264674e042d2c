// worklog_bench_tool: prepares databases for the benchmarks in bench/*.sh and measures the
// store-level ceilings they compare against. It talks to the store API only (no HTTP, no
// GitLab): what `worklog serve` would have stored after an administrator connected a GitLab
// organization, and the same activity rows a webhook delivery normalizes to.
//
//   worklog_bench_tool setup-org --db URL --data-dir DIR --hook-secret S [--projects N]
//                                [--users N]
//   worklog_bench_tool seed --db URL --users N --activities N [--days D]
//   worklog_bench_tool payload                  (prints the push template the wrk script uses)
//   worklog_bench_tool insert-ceiling --db URL --deliveries N [--users N] [--projects N]
//   worklog_bench_tool count --db URL           (prints "<activities> <inbox pending>")
//
// Users are u<N>@bench.invalid (N from 1), linked to GitLab user 100000+N with that e-mail;
// projects are 1..P ("bench/p<N>"), monitored with an active hook.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "domain/activity.h"
#include "domain/user.h"
#include "gitlab/normalize.h"
#include "store/store.h"

namespace {

using worklog::SystemClock;
using worklog::TimePoint;
using worklog::domain::Activity;

constexpr int64_t kGitlabUserBase = 100000;

// A push of 5 commits as GitLab sends it (trimmed of nothing the normalizer reads; the
// avatar, ssh urls and file lists keep the real size, ~4 KB). Placeholders:
// @UUID@ is not in the body (it is a header); @USER@ GitLab user id, @EMAIL@, @PROJECT@,
// @SHA0@..@SHA4@, @BEFORE@, @AFTER@, @TS@ (RFC 3339 seconds, UTC).
constexpr std::string_view kPushTemplate = R"json({
  "object_kind": "push", "event_name": "push",
  "before": "@BEFORE@", "after": "@AFTER@",
  "ref": "refs/heads/feature/PROJ-12-vat", "ref_protected": false,
  "checkout_sha": "@AFTER@", "message": null,
  "user_id": @USER@, "user_name": "Bench User @USER@", "user_username": "bench@USER@",
  "user_email": "", "user_avatar": "https://gitlab.example.com/uploads/-/system/user/avatar/7/avatar.png",
  "project_id": @PROJECT@,
  "project": {"id": @PROJECT@, "name": "P@PROJECT@", "description": "Invoices and payments",
    "web_url": "https://gitlab.example.com/bench/p@PROJECT@", "avatar_url": null,
    "git_ssh_url": "git@gitlab.example.com:bench/p@PROJECT@.git",
    "git_http_url": "https://gitlab.example.com/bench/p@PROJECT@.git", "namespace": "Bench",
    "visibility_level": 0, "path_with_namespace": "bench/p@PROJECT@", "default_branch": "main",
    "ci_config_path": "", "homepage": "https://gitlab.example.com/bench/p@PROJECT@",
    "url": "git@gitlab.example.com:bench/p@PROJECT@.git",
    "ssh_url": "git@gitlab.example.com:bench/p@PROJECT@.git",
    "http_url": "https://gitlab.example.com/bench/p@PROJECT@.git"},
  "commits": [
    {"id": "@SHA0@", "message": "PROJ-12 add VAT to invoices\n\nVAT rates come from the tax table.\n",
     "title": "PROJ-12 add VAT to invoices", "timestamp": "@TS@",
     "url": "https://gitlab.example.com/bench/p@PROJECT@/-/commit/@SHA0@",
     "author": {"name": "Bench User @USER@", "email": "@EMAIL@"},
     "added": [], "modified": ["app/invoice.rb"], "removed": []},
    {"id": "@SHA1@", "message": "Round totals to cents\n",
     "title": "Round totals to cents", "timestamp": "@TS@",
     "url": "https://gitlab.example.com/bench/p@PROJECT@/-/commit/@SHA1@",
     "author": {"name": "Bench User @USER@", "email": "@EMAIL@"},
     "added": ["app/money.rb"], "modified": ["app/invoice.rb"], "removed": []},
    {"id": "@SHA2@", "message": "PROJ-12 PROJ-14 fix rounding and currency\n",
     "title": "PROJ-12 PROJ-14 fix rounding and currency", "timestamp": "@TS@",
     "url": "https://gitlab.example.com/bench/p@PROJECT@/-/commit/@SHA2@",
     "author": {"name": "Bench User @USER@", "email": "@EMAIL@"},
     "added": [], "modified": ["app/invoice.rb", "spec/invoice_spec.rb"], "removed": []},
    {"id": "@SHA3@", "message": "PROJ-14 currency table\n",
     "title": "PROJ-14 currency table", "timestamp": "@TS@",
     "url": "https://gitlab.example.com/bench/p@PROJECT@/-/commit/@SHA3@",
     "author": {"name": "Bench User @USER@", "email": "@EMAIL@"},
     "added": ["db/currency.yml"], "modified": [], "removed": []},
    {"id": "@SHA4@", "message": "Tidy invoice specs\n",
     "title": "Tidy invoice specs", "timestamp": "@TS@",
     "url": "https://gitlab.example.com/bench/p@PROJECT@/-/commit/@SHA4@",
     "author": {"name": "Bench User @USER@", "email": "@EMAIL@"},
     "added": [], "modified": ["spec/invoice_spec.rb"], "removed": []}
  ],
  "total_commits_count": 5,
  "push_options": {},
  "repository": {"name": "P@PROJECT@", "url": "git@gitlab.example.com:bench/p@PROJECT@.git",
    "description": "Invoices and payments", "homepage": "https://gitlab.example.com/bench/p@PROJECT@",
    "git_http_url": "https://gitlab.example.com/bench/p@PROJECT@.git",
    "git_ssh_url": "git@gitlab.example.com:bench/p@PROJECT@.git", "visibility_level": 0}
})json";

std::string Email(int64_t user) { return fmt::format("u{}@bench.invalid", user); }

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string Sha(uint64_t a, uint64_t b) { return fmt::format("{:020x}{:020x}", a, b); }

// The body the wrk script sends for delivery `n` (same substitutions as bench/webhook.lua).
std::string PushBody(uint64_t n, int64_t users, int64_t projects, TimePoint at) {
  std::string body(kPushTemplate);
  const int64_t user = static_cast<int64_t>(n % static_cast<uint64_t>(users)) + 1;
  const int64_t project = static_cast<int64_t>(n % static_cast<uint64_t>(projects)) + 1;
  ReplaceAll(body, "@USER@", std::to_string(kGitlabUserBase + user));
  ReplaceAll(body, "@EMAIL@", Email(user));
  ReplaceAll(body, "@PROJECT@", std::to_string(project));
  for (uint64_t i = 0; i < 5; ++i) {
    ReplaceAll(body, fmt::format("@SHA{}@", i), Sha(0xce11, n * 8 + i));
  }
  ReplaceAll(body, "@BEFORE@", Sha(0xbef0, n));
  ReplaceAll(body, "@AFTER@", Sha(0xce11, n * 8 + 4));
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch());
  const std::time_t t = seconds.count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  ReplaceAll(body, "@TS@", stamp);
  return body;
}

std::map<std::string, std::string> Flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    flags[argv[i]] = argv[i + 1];
  }
  return flags;
}

std::string Need(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto found = flags.find(name);
  if (found == flags.end()) {
    fmt::print(stderr, "worklog_bench_tool: {} is required\n", name);
    std::exit(2);
  }
  return found->second;
}

int64_t IntFlag(const std::map<std::string, std::string>& flags, const std::string& name,
                int64_t fallback) {
  auto found = flags.find(name);
  return found == flags.end() ? fallback : std::stoll(found->second);
}

template <typename T>
T Check(worklog::Result<T> result, std::string_view what) {
  if (!result) {
    fmt::print(stderr, "worklog_bench_tool: {}: {}\n", what, result.error().message);
    std::exit(1);
  }
  return std::move(*result);
}

void CheckStatus(const worklog::Status& status, std::string_view what) {
  if (!status) {
    fmt::print(stderr, "worklog_bench_tool: {}: {}\n", what, status.error().message);
    std::exit(1);
  }
}

std::unique_ptr<worklog::store::Store> Open(const std::string& url, const worklog::Clock& clock) {
  auto store = Check(worklog::store::OpenStore(url, clock), "open");
  CheckStatus(store->Migrate(), "migrate");
  return store;
}

// Users u1..uN linked to GitLab users (Connect forgets identities: relinks them).
void EnsureUsers(worklog::store::Store& store, int64_t users, const worklog::Clock& clock) {
  for (int64_t u = 1; u <= users; ++u) {
    auto user = store.Users().GetByEmail(Email(u));
    if (!user) {
      user = store.Users().Create({.email = Email(u),
                                   .name = fmt::format("Bench User {}", u),
                                   .role = worklog::domain::Role::kUser,
                                   .timezone = "UTC",
                                   .password_hash = ""});
    }
    const auto created = Check(std::move(user), "create user");
    if (Check(store.GitlabOrg().GetIdentity(created.id), "identity")) {
      continue;
    }
    Check(store.GitlabOrg().LinkIdentity({.user_id = created.id,
                                          .gitlab_user_id = kGitlabUserBase + u,
                                          .username = fmt::format("bench{}", u),
                                          .emails = {Email(u)},
                                          .connected_by = created.id,
                                          .connected_at = clock.Now()}),
          "link identity");
  }
}

int SetupOrg(const std::map<std::string, std::string>& flags) {
  SystemClock clock;
  auto store = Open(Need(flags, "--db"), clock);
  const std::string data_dir = Need(flags, "--data-dir");
  const std::string secret = Need(flags, "--hook-secret");
  const int64_t projects = IntFlag(flags, "--projects", 50);
  auto box = Check(worklog::SecretBox::FromEnvironmentOrFile(data_dir), "secret key");

  auto admin = store->Users().GetByEmail("bench-admin@bench.invalid");
  if (!admin) {
    admin = store->Users().Create({.email = "bench-admin@bench.invalid",
                                   .name = "Bench Admin",
                                   .role = worklog::domain::Role::kAdmin,
                                   .timezone = "UTC",
                                   .password_hash = ""});
  }
  const int64_t admin_id = Check(std::move(admin), "admin").id;
  CheckStatus(store->GitlabOrg().SetInstalled(true, admin_id), "install");
  // The GitLab it points at does not exist (port 9, discard): the scheduler's polls fail
  // fast and are retried later, which costs the benchmark nothing.
  const auto integration = Check(
      store->GitlabOrg().Connect({.base_url = "http://127.0.0.1:9",
                                  .client_id = "bench",
                                  .client_secret_sealed = box.Seal("bench-client-secret"),
                                  .redirect_uri = "http://127.0.0.1:9/callback",
                                  .access_token_sealed = box.Seal("bench-access-token"),
                                  .refresh_token_sealed = box.Seal("bench-refresh-token"),
                                  .token_expires_at = clock.Now() + std::chrono::hours(24 * 3650),
                                  .gitlab_user_id = 1,
                                  .gitlab_username = "root",
                                  .gitlab_is_admin = true,
                                  .connected_by = admin_id,
                                  .hook_secret_sealed = box.Seal(secret)}),
      "connect");
  std::vector<worklog::store::DiscoveredProject> seen;
  for (int64_t p = 1; p <= projects; ++p) {
    seen.push_back({.id = p,
                    .path_with_namespace = fmt::format("bench/p{}", p),
                    .web_url = fmt::format("https://gitlab.example.com/bench/p{}", p)});
  }
  Check(store->GitlabOrg().SyncProjects(integration.generation, seen), "projects");
  for (int64_t p = 1; p <= projects; ++p) {
    CheckStatus(store->GitlabOrg().SetHook(integration.generation, p, 1000 + p,
                                           worklog::store::HookStatus::kActive, ""),
                "hook");
  }
  EnsureUsers(*store, IntFlag(flags, "--users", 2000), clock);
  fmt::print("connected generation={} projects={}\n", integration.generation, projects);
  return 0;
}

// Activities spread over `days` days up to now, for `users` users: 80% commits (author
// e-mail = the user's, pushed by the user), the rest MRs, reviews, issues and comments.
int Seed(const std::map<std::string, std::string>& flags) {
  SystemClock clock;
  auto store = Open(Need(flags, "--db"), clock);
  const int64_t users = IntFlag(flags, "--users", 2000);
  const int64_t total = IntFlag(flags, "--activities", 10'000'000);
  const int64_t days = IntFlag(flags, "--days", 90);
  const int64_t batch_size = IntFlag(flags, "--batch", 20'000);
  EnsureUsers(*store, users, clock);
  const int64_t already = Check(store->Activities().Count(), "count");
  std::mt19937_64 random(42);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock.Now());
  const int64_t span = days * 86'400;
  const auto started = std::chrono::steady_clock::now();
  std::vector<Activity> batch;
  batch.reserve(static_cast<std::size_t>(batch_size));
  for (int64_t n = already; n < total; ++n) {
    const int64_t user = static_cast<int64_t>(random() % static_cast<uint64_t>(users)) + 1;
    const int64_t project = static_cast<int64_t>(random() % 50) + 1;
    // Working hours: 08:00-18:00 UTC on a random day of the span.
    const int64_t day = static_cast<int64_t>(random() % static_cast<uint64_t>(days));
    const int64_t second = 8 * 3600 + static_cast<int64_t>(random() % 36'000);
    Activity a;
    const uint64_t roll = random() % 100;
    a.kind = roll < 80   ? worklog::domain::ActivityKind::kCommit
             : roll < 88 ? worklog::domain::ActivityKind::kMergeRequest
             : roll < 93 ? worklog::domain::ActivityKind::kReview
             : roll < 96 ? worklog::domain::ActivityKind::kIssue
                         : worklog::domain::ActivityKind::kComment;
    const bool commit = a.kind == worklog::domain::ActivityKind::kCommit;
    a.key = commit ? fmt::format("commit:{}:{}", project, Sha(0x5eed, static_cast<uint64_t>(n)))
                   : fmt::format("{}:{}:{}", worklog::domain::KindName(a.kind), project, n);
    a.action = commit ? "committed" : "opened";
    a.occurred_at = now - std::chrono::seconds(span) + std::chrono::seconds(day * 86'400 + second);
    a.project_id = project;
    a.project_path = fmt::format("bench/p{}", project);
    a.gitlab_user_id = kGitlabUserBase + user;
    a.author_email = commit ? Email(user) : "";
    a.author_name = fmt::format("Bench User {}", user);
    // A developer works on a handful of issues a day: one of 3 keys per (user, day), drawn
    // from 400 (a key picked at random per activity made ~1 suggestion per activity).
    const int64_t slot = static_cast<int64_t>(random() % 3);
    const int64_t issue = (user * 7'919 + day * 104'729 + slot * 131) % 400 + 1;
    a.title = fmt::format("PROJ-{} change {}", issue, n % 97);
    a.body = commit ? a.title + "\n" : "";
    a.url = fmt::format("https://gitlab.example.com/bench/p{}/-/commit/{}", project, n);
    a.ref = commit ? "main" : "";
    a.sha = commit ? Sha(0x5eed, static_cast<uint64_t>(n)) : "";
    a.issue_keys = {fmt::format("PROJ-{}", issue)};
    batch.push_back(std::move(a));
    if (static_cast<int64_t>(batch.size()) == batch_size || n + 1 == total) {
      Check(store->Activities().InsertBatch(batch), "insert");
      batch.clear();
      if ((n + 1) % 1'000'000 < batch_size) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fmt::print(stderr, "seeded {} activities ({:.0f} rows/s)\n", n + 1,
                   static_cast<double>(n + 1 - already) / seconds);
      }
    }
  }
  fmt::print("activities={}\n", Check(store->Activities().Count(), "count"));
  return 0;
}

// The ceiling for the webhook pipeline: the same rows its normalizer makes, stored with
// InsertBatch and nothing else (no HTTP, no inbox, no JSON at store time). Two figures:
// one transaction per delivery (what the pipeline must do, a durable write per push), and
// 1,000-row batches (the most the store does with these rows).
int InsertCeiling(const std::map<std::string, std::string>& flags) {
  SystemClock clock;
  auto store = Open(Need(flags, "--db"), clock);
  const int64_t deliveries = IntFlag(flags, "--deliveries", 20'000);
  const int64_t users = IntFlag(flags, "--users", 2000);
  const int64_t projects = IntFlag(flags, "--projects", 50);
  const uint64_t offset = static_cast<uint64_t>(IntFlag(flags, "--offset", 1'000'000'000));
  std::vector<std::vector<Activity>> rows;
  rows.reserve(static_cast<std::size_t>(deliveries));
  for (int64_t n = 0; n < deliveries; ++n) {
    const std::string body =
        PushBody(offset + static_cast<uint64_t>(n), users, projects, clock.Now());
    auto normalized = Check(worklog::gitlab::NormalizeWebhook("Push Hook", body), "normalize");
    rows.push_back(std::move(normalized.activities));
  }
  const auto time = [&](auto&& fn) {
    const auto start = std::chrono::steady_clock::now();
    const int64_t stored = fn();
    return std::pair{
        stored, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  };
  // Per delivery, from 8 threads at once is not what InsertBatch callers do: the workers
  // call it one delivery at a time. Measure it that way.
  const int64_t half = deliveries / 2;
  auto [per_delivery_rows, per_delivery_s] = time([&] {
    int64_t stored = 0;
    for (int64_t n = 0; n < half; ++n) {
      stored += Check(store->Activities().InsertBatch(rows[static_cast<std::size_t>(n)]), "insert");
    }
    return stored;
  });
  auto [batched_rows, batched_s] = time([&] {
    int64_t stored = 0;
    std::vector<Activity> batch;
    for (int64_t n = half; n < deliveries; ++n) {
      for (const auto& a : rows[static_cast<std::size_t>(n)]) {
        batch.push_back(a);
      }
      if (batch.size() >= 1000 || n + 1 == deliveries) {
        stored += Check(store->Activities().InsertBatch(batch), "insert");
        batch.clear();
      }
    }
    return stored;
  });
  fmt::print("per_delivery_rows_per_s={:.0f} batched_rows_per_s={:.0f} rows_per_delivery={}\n",
             static_cast<double>(per_delivery_rows) / per_delivery_s,
             static_cast<double>(batched_rows) / batched_s, rows.empty() ? 0 : rows[0].size());
  return 0;
}

int Count(const std::map<std::string, std::string>& flags) {
  SystemClock clock;
  auto store = Check(worklog::store::OpenStore(Need(flags, "--db"), clock), "open");
  fmt::print("{} {}\n", Check(store->Activities().Count(), "count"),
             Check(store->Inbox().CountPending(), "pending"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  const auto flags = Flags(argc, argv);
  if (command == "setup-org") {
    return SetupOrg(flags);
  }
  if (command == "seed") {
    return Seed(flags);
  }
  if (command == "payload") {
    fmt::print("{}\n", kPushTemplate);
    return 0;
  }
  if (command == "insert-ceiling") {
    return InsertCeiling(flags);
  }
  if (command == "count") {
    return Count(flags);
  }
  fmt::print(stderr, "usage: worklog_bench_tool setup-org|seed|payload|insert-ceiling|count ...\n");
  return 2;
}

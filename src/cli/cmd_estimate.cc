// worklog estimate --repo PATH [--max-gap MIN] [--lead-in MIN] [--timezone TZ] [--json]
//                  [--git-hours-compatible]
//
// Per-author estimated hours from a git history (DESIGN.md §3.4), read with libgit2:
//  - default: our engine. Commits of every local branch (each once), by author e-mail
//    (lowercased) and author time; per local day of --timezone, sessions split where a gap
//    exceeds --max-gap (default 120), a session's first commit owns --lead-in (default 30),
//    time per issue key rounded to 15 minutes; an author's hours are the sum.
//  - --git-hours-compatible: the npm tool git-hours 1.5.0's numbers exactly (see
//    feed/git_hours.h): --max-gap is its --max-commit-diff, --lead-in its --first-commit-add
//    (both default 120; 0 means the default, as in git-hours). With --json it prints
//    git-hours' own JSON shape.
// Bad input (flags, a path that is no repository): one line on stderr, exit 2.

#include <git2.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/result.h"
#include "domain/activity.h"
#include "domain/issue_keys.h"
#include "feed/estimate.h"
#include "feed/git_hours.h"

namespace worklog::cli {
namespace {

struct EstimateArgs {
  std::string repo;
  std::optional<int64_t> max_gap_minutes;
  std::optional<int64_t> lead_in_minutes;
  std::string timezone = "UTC";
  bool json = false;
  bool git_hours_compatible = false;
};

// libgit2 handles, each owned by a unique_ptr.
struct RepositoryDeleter {
  void operator()(git_repository* repo) const { git_repository_free(repo); }
};
struct RevwalkDeleter {
  void operator()(git_revwalk* walk) const { git_revwalk_free(walk); }
};
struct CommitDeleter {
  void operator()(git_commit* commit) const { git_commit_free(commit); }
};
struct ReferenceIteratorDeleter {
  void operator()(git_reference_iterator* it) const { git_reference_iterator_free(it); }
};
using RepositoryPtr = std::unique_ptr<git_repository, RepositoryDeleter>;
using RevwalkPtr = std::unique_ptr<git_revwalk, RevwalkDeleter>;
using CommitPtr = std::unique_ptr<git_commit, CommitDeleter>;

// Keeps libgit2 initialized for the command's lifetime.
class Libgit2 {
 public:
  Libgit2() {
    git_libgit2_init();
    // Objects come from a local repository we only read: skip re-hashing every object.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  }
  Libgit2(const Libgit2&) = delete;
  Libgit2& operator=(const Libgit2&) = delete;
  Libgit2(Libgit2&&) = delete;
  Libgit2& operator=(Libgit2&&) = delete;
  ~Libgit2() { git_libgit2_shutdown(); }
};

Error GitError(std::string_view context) {
  const git_error* error = git_error_last();
  return Error{ErrorCode::kInternal,
               {},
               fmt::format("{}: {}", context, error != nullptr ? error->message : "unknown error")};
}

struct CommitInfo {
  std::string email;
  std::string name;
  int64_t author_time = 0;
  int64_t committer_time = 0;
  std::string message;
};

// Walks the history from `push` (a function that pushes the starting points) and calls
// `visit` for each commit, in libgit2's default order (newest first, like git-hours).
template <typename Push, typename Visit>
Status Walk(git_repository* repo, Push push, bool read_message, Visit visit) {
  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo) != 0) {
    return tl::unexpected(GitError("cannot walk the history"));
  }
  const RevwalkPtr walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_NONE);
  if (!push(walk.get())) {
    return tl::unexpected(GitError("cannot start the history walk"));
  }
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo, &oid) != 0) {
      return tl::unexpected(GitError("cannot read a commit"));
    }
    const CommitPtr commit(raw_commit);
    const git_signature* author = git_commit_author(commit.get());
    CommitInfo info;
    info.email = author->email != nullptr ? author->email : "";
    info.name = author->name != nullptr ? author->name : "";
    info.author_time = author->when.time;
    info.committer_time = git_commit_time(commit.get());
    if (read_message) {
      const char* message = git_commit_message(commit.get());
      info.message = message != nullptr ? message : "";
    }
    visit(std::move(info));
  }
  return {};
}

// Local branch names (refs/heads/*), in libgit2's reference order.
Result<std::vector<std::string>> LocalBranches(git_repository* repo) {
  git_reference_iterator* raw_iterator = nullptr;
  if (git_reference_iterator_glob_new(&raw_iterator, repo, "refs/heads/*") != 0) {
    return tl::unexpected(GitError("cannot list branches"));
  }
  const std::unique_ptr<git_reference_iterator, ReferenceIteratorDeleter> iterator(raw_iterator);
  std::vector<std::string> names;
  const char* name = nullptr;
  while (git_reference_next_name(&name, iterator.get()) == 0) {
    names.emplace_back(name);
  }
  return names;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return text;
}

std::string Hours(std::chrono::seconds seconds) {
  return fmt::format("{:.2f}", static_cast<double>(seconds.count()) / 3600.0);
}

int RunGitHoursCompatible(git_repository* repo, const EstimateArgs& args) {
  feed::GitHoursParams params;
  // git-hours: `program.maxCommitDiff || default`, so 0 means the default.
  if (args.max_gap_minutes.value_or(0) != 0) {
    params.max_commit_diff_minutes = *args.max_gap_minutes;
  }
  if (args.lead_in_minutes.value_or(0) != 0) {
    params.first_commit_addition_minutes = *args.lead_in_minutes;
  }
  auto branches = LocalBranches(repo);
  if (!branches) {
    std::cerr << "estimate: " << branches.error().message << "\n";
    return 1;
  }
  std::vector<feed::GitHoursCommit> commits;
  for (const std::string& branch : *branches) {
    auto walked = Walk(
        repo, [&](git_revwalk* walk) { return git_revwalk_push_ref(walk, branch.c_str()) == 0; },
        /*read_message=*/false,
        [&](CommitInfo info) {
          commits.push_back({std::move(info.email), std::move(info.name), info.committer_time});
        });
    if (!walked) {
      std::cerr << "estimate: " << walked.error().message << "\n";
      return 1;
    }
  }
  const feed::GitHoursReport report = feed::EstimateGitHours(commits, params);
  if (args.json) {
    // git-hours' shape and key order: authors by hours, then "total".
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& author : report.authors) {
      out[author.email] = {
          {"name", author.name}, {"hours", author.hours}, {"commits", author.commits}};
    }
    out["total"] = {{"hours", report.total_hours}, {"commits", report.total_commits}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<40} {:>8} {:>8}\n", "author", "commits", "hours");
  for (auto it = report.authors.rbegin(); it != report.authors.rend(); ++it) {
    std::cout << fmt::format("{:<40} {:>8} {:>8}\n", it->email, it->commits, it->hours);
  }
  std::cout << fmt::format("{:<40} {:>8} {:>8}\n", "total", report.total_commits,
                           report.total_hours);
  return 0;
}

int RunEngine(git_repository* repo, const EstimateArgs& args) {
  feed::EstimateParams params;
  if (args.max_gap_minutes) {
    params.max_gap = std::chrono::minutes(*args.max_gap_minutes);
  }
  if (args.lead_in_minutes) {
    params.lead_in = std::chrono::minutes(*args.lead_in_minutes);
  }
  if (auto valid = feed::ValidateEstimateParams(params); !valid) {
    const std::string_view field = valid.error().field;
    std::cerr << fmt::format("estimate: --{} {}\n",
                             field == "max_gap_minutes" ? "max-gap" : "lead-in",
                             valid.error().message);
    return 2;
  }
  struct Author {
    std::string name;
    std::vector<domain::Activity> commits;
  };
  std::map<std::string, Author> authors;  // by lowercased e-mail
  auto walked = Walk(
      repo,
      [repo](git_revwalk* walk) {
        // Every local branch; a repository without any (detached HEAD) walks HEAD.
        auto branches = LocalBranches(repo);
        if (branches && branches->empty()) {
          return git_revwalk_push_head(walk) == 0;
        }
        return git_revwalk_push_glob(walk, "refs/heads/*") == 0;
      },
      /*read_message=*/true,
      [&](CommitInfo info) {
        Author& author = authors[Lower(info.email)];
        if (author.name.empty()) {
          author.name = info.name;
        }
        domain::Activity activity;
        activity.kind = domain::ActivityKind::kCommit;
        activity.occurred_at = TimePoint(std::chrono::seconds(info.author_time));
        activity.issue_keys = domain::FindIssueKeys(info.message);
        author.commits.push_back(std::move(activity));
      });
  if (!walked) {
    std::cerr << "estimate: " << walked.error().message << "\n";
    return 1;
  }
  struct Row {
    std::string email;
    std::string name;
    int64_t commits = 0;
    std::chrono::seconds total{0};
  };
  std::vector<Row> rows;
  for (auto& [email, author] : authors) {
    auto totals = feed::EstimateTotals(author.commits, args.timezone, params);
    if (!totals) {
      std::cerr << fmt::format("estimate: --timezone: {}\n", totals.error().message);
      return 2;
    }
    Row row{email, author.name, static_cast<int64_t>(author.commits.size()), {}};
    for (const auto& total : *totals) {
      row.total += total.rounded;
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.total > b.total; });
  int64_t commits = 0;
  std::chrono::seconds total{0};
  for (const Row& row : rows) {
    commits += row.commits;
    total += row.total;
  }
  if (args.json) {
    nlohmann::ordered_json out;
    out["params"] = {{"max_gap_minutes", params.max_gap.count() / 60},
                     {"lead_in_minutes", params.lead_in.count() / 60},
                     {"rounding_minutes", params.rounding.count() / 60},
                     {"timezone", args.timezone}};
    out["authors"] = nlohmann::ordered_json::array();
    for (const Row& row : rows) {
      out["authors"].push_back({{"email", row.email},
                                {"name", row.name},
                                {"commits", row.commits},
                                {"seconds", row.total.count()},
                                {"hours", static_cast<double>(row.total.count()) / 3600.0}});
    }
    out["total"] = {{"commits", commits},
                    {"seconds", total.count()},
                    {"hours", static_cast<double>(total.count()) / 3600.0}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<40} {:>8} {:>10}\n", "author", "commits", "hours");
  for (const Row& row : rows) {
    std::cout << fmt::format("{:<40} {:>8} {:>10}\n", row.email, row.commits, Hours(row.total));
  }
  std::cout << fmt::format("{:<40} {:>8} {:>10}\n", "total", commits, Hours(total));
  return 0;
}

int RunEstimate(const EstimateArgs& args) {
  const Libgit2 libgit2;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, args.repo.c_str(), 0, nullptr) != 0) {
    std::cerr << fmt::format("estimate: --repo {}: {}\n", args.repo,
                             GitError("not a git repository").message);
    return 2;
  }
  const RepositoryPtr repo(raw_repo);
  return args.git_hours_compatible ? RunGitHoursCompatible(repo.get(), args)
                                   : RunEngine(repo.get(), args);
}

void AddEstimateCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EstimateArgs>();
  CLI::App* command =
      app.add_subcommand("estimate", "per-author estimated hours from a git history");
  command->add_option("--repo", args->repo, "path of the git repository")
      ->required()
      ->envname("WORKLOG_REPO");
  command
      ->add_option("--max-gap", args->max_gap_minutes,
                   "minutes: a longer gap between commits ends a session (default 120)")
      ->check(CLI::NonNegativeNumber)
      ->envname("WORKLOG_MAX_GAP");
  command
      ->add_option("--lead-in", args->lead_in_minutes,
                   "minutes owned by a session's first commit (default 30; 120 with "
                   "--git-hours-compatible)")
      ->check(CLI::NonNegativeNumber)
      ->envname("WORKLOG_LEAD_IN");
  command->add_option("--timezone", args->timezone, "IANA time zone that splits days")
      ->capture_default_str()
      ->envname("WORKLOG_TIMEZONE");
  command->add_flag("--json", args->json, "print JSON")->envname("WORKLOG_JSON");
  command
      ->add_flag("--git-hours-compatible", args->git_hours_compatible,
                 "reproduce git-hours 1.5.0's totals exactly")
      ->envname("WORKLOG_GIT_HOURS_COMPATIBLE");
  command->callback([args, &exit_code] { exit_code = RunEstimate(*args); });
}

const CommandRegistration kRegistration("estimate", &AddEstimateCommand);

}  // namespace
}  // namespace worklog::cli

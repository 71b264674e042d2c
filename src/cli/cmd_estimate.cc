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
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
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
struct ReferenceIteratorDeleter {
  void operator()(git_reference_iterator* it) const { git_reference_iterator_free(it); }
};
using RepositoryPtr = std::unique_ptr<git_repository, RepositoryDeleter>;

// Keeps libgit2 initialized for the command's lifetime.
class Libgit2 {
 public:
  Libgit2() {
    git_libgit2_init();
    // Objects come from a local repository we only read: skip re-hashing every object.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    // Each object is read once (CommitReader keeps what it needs): no object cache.
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
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

// What the estimate reads of a commit.
struct CommitInfo {
  std::string email;
  std::string name;
  int64_t author_time = 0;
  int64_t committer_time = 0;
  std::string message;  // only when asked for
  std::vector<git_oid> parents;
};

struct OidHash {
  std::size_t operator()(const git_oid& oid) const {
    std::size_t hash = 0;
    std::memcpy(&hash, oid.id, sizeof(hash));  // a SHA-1 prefix is already well mixed
    return hash;
  }
};
struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const {
    return std::memcmp(a.id, b.id, GIT_OID_RAWSZ) == 0;
  }
};

struct OdbDeleter {
  void operator()(git_odb* odb) const { git_odb_free(odb); }
};
struct OdbObjectDeleter {
  void operator()(git_odb_object* object) const { git_odb_object_free(object); }
};

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  return text;
}

// "Name <email> 1449014542 +0100" (after "author " / "committer "), split the way libgit2's
// signature parser does: the last '<' and the last '>', trimmed.
bool ParseSignature(std::string_view line, std::string* name, std::string* email, int64_t& time) {
  const std::size_t open = line.rfind('<');
  const std::size_t close = line.rfind('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return false;
  }
  if (name != nullptr) {
    *name = TrimSpaces(line.substr(0, open));
  }
  if (email != nullptr) {
    *email = TrimSpaces(line.substr(open + 1, close - open - 1));
  }
  std::string_view rest = TrimSpaces(line.substr(close + 1));
  time = 0;
  const auto parsed = std::from_chars(rest.data(), rest.data() + rest.size(), time);
  return parsed.ec == std::errc();
}

// A raw commit object: header lines ("tree", "parent", "author", "committer", others), a
// blank line, the message.
bool ParseCommit(std::string_view raw, bool read_message, CommitInfo& info) {
  bool has_author = false;
  bool has_committer = false;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t end = raw.find('\n', pos);
    if (end == std::string_view::npos) {
      end = raw.size();
    }
    const std::string_view line = raw.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {
      break;  // the message follows
    }
    if (line.starts_with("parent ")) {
      git_oid parent;
      if (line.size() < 7 + GIT_OID_HEXSZ ||
          git_oid_fromstrn(&parent, line.data() + 7, GIT_OID_HEXSZ) != 0) {
        return false;
      }
      info.parents.push_back(parent);
    } else if (line.starts_with("author ") && !has_author) {
      has_author = ParseSignature(line.substr(7), &info.name, &info.email, info.author_time);
    } else if (line.starts_with("committer ") && !has_committer) {
      has_committer = ParseSignature(line.substr(10), nullptr, nullptr, info.committer_time);
    }
  }
  if (read_message && pos < raw.size()) {
    info.message = raw.substr(pos);
  }
  return has_author && has_committer;
}

// Reads commits straight from the object database: one read and inflate per commit and no
// parsed-object cache (a revwalk followed by git_commit_lookup reads each commit twice).
// With `cache`, a commit seen again (git-hours walks every branch) is not read again.
class CommitReader {
 public:
  static Result<CommitReader> Open(git_repository* repo, bool read_message, bool cache) {
    git_odb* raw_odb = nullptr;
    if (git_repository_odb(&raw_odb, repo) != 0) {
      return tl::unexpected(GitError("cannot open the object database"));
    }
    return CommitReader(OdbPtr(raw_odb), read_message, cache);
  }

  // Valid until the next call without `cache`; for the reader's lifetime with it.
  Result<const CommitInfo*> Get(const git_oid& oid) {
    if (cache_) {
      if (auto it = commits_.find(oid); it != commits_.end()) {
        return &it->second;
      }
    }
    git_odb_object* raw_object = nullptr;
    if (git_odb_read(&raw_object, odb_.get(), &oid) != 0) {
      return tl::unexpected(GitError("cannot read a commit"));
    }
    const std::unique_ptr<git_odb_object, OdbObjectDeleter> object(raw_object);
    if (git_odb_object_type(object.get()) != GIT_OBJECT_COMMIT) {
      return tl::unexpected(Error{
          ErrorCode::kInternal, {}, fmt::format("{} is not a commit", git_oid_tostr_s(&oid))});
    }
    CommitInfo info;
    const std::string_view raw(static_cast<const char*>(git_odb_object_data(object.get())),
                               git_odb_object_size(object.get()));
    if (!ParseCommit(raw, read_message_, info)) {
      return tl::unexpected(Error{
          ErrorCode::kInternal, {}, fmt::format("cannot parse commit {}", git_oid_tostr_s(&oid))});
    }
    if (cache_) {
      return &commits_.emplace(oid, std::move(info)).first->second;
    }
    last_ = std::move(info);
    return &last_;
  }

 private:
  using OdbPtr = std::unique_ptr<git_odb, OdbDeleter>;

  CommitReader(OdbPtr odb, bool read_message, bool cache)
      : odb_(std::move(odb)), read_message_(read_message), cache_(cache) {}

  OdbPtr odb_;
  bool read_message_;
  bool cache_;
  CommitInfo last_;
  std::unordered_map<git_oid, CommitInfo, OidHash, OidEqual> commits_;  // stable addresses
};

// Every commit reachable from `starts`, each once, in no particular order.
template <typename Visit>
Status WalkAll(CommitReader& reader, const std::vector<git_oid>& starts, Visit visit) {
  std::unordered_set<git_oid, OidHash, OidEqual> seen(starts.begin(), starts.end(), 1 << 14);
  std::vector<git_oid> pending(seen.begin(), seen.end());
  while (!pending.empty()) {
    const git_oid oid = pending.back();
    pending.pop_back();
    auto commit = reader.Get(oid);
    if (!commit) {
      return tl::unexpected(commit.error());
    }
    for (const git_oid& parent : (*commit)->parents) {
      if (seen.insert(parent).second) {
        pending.push_back(parent);
      }
    }
    visit(**commit);
  }
  return {};
}

// The commits reachable from `head` in the order of libgit2's default revision walk (what
// git-hours' nodegit history() emits): a list kept newest-first by committer time, each
// commit's parents inserted after the commits at least as new. Names and the order of
// authors with equal hours depend on it. `reader` must cache (parents are read while their
// child is in use).
template <typename Visit>
Status WalkLikeRevwalk(CommitReader& reader, const git_oid& head, Visit visit) {
  struct Entry {
    git_oid oid;
    int64_t time;
  };
  std::list<Entry> queue;
  std::unordered_set<git_oid, OidHash, OidEqual> added{head};
  const auto insert_by_date = [&](const git_oid& oid) -> Status {
    auto commit = reader.Get(oid);
    if (!commit) {
      return tl::unexpected(commit.error());
    }
    const int64_t time = (*commit)->committer_time;
    auto it = std::find_if(queue.begin(), queue.end(),
                           [&](const Entry& entry) { return entry.time < time; });
    queue.insert(it, Entry{oid, time});
    return {};
  };
  if (auto inserted = insert_by_date(head); !inserted) {
    return inserted;
  }
  while (!queue.empty()) {
    const git_oid oid = queue.front().oid;
    queue.pop_front();
    auto commit = reader.Get(oid);  // cached
    if (!commit) {
      return tl::unexpected(commit.error());
    }
    for (const git_oid& parent : (*commit)->parents) {
      if (added.insert(parent).second) {
        if (auto inserted = insert_by_date(parent); !inserted) {
          return inserted;
        }
      }
    }
    visit(**commit);
  }
  return {};
}

// Local branches (refs/heads/*) and the commits they point at, in libgit2's reference order.
struct Branch {
  std::string name;
  git_oid head;
};
Result<std::vector<Branch>> LocalBranches(git_repository* repo) {
  git_reference_iterator* raw_iterator = nullptr;
  if (git_reference_iterator_glob_new(&raw_iterator, repo, "refs/heads/*") != 0) {
    return tl::unexpected(GitError("cannot list branches"));
  }
  const std::unique_ptr<git_reference_iterator, ReferenceIteratorDeleter> iterator(raw_iterator);
  std::vector<Branch> branches;
  const char* name = nullptr;
  while (git_reference_next_name(&name, iterator.get()) == 0) {
    Branch branch{name, {}};
    if (git_reference_name_to_id(&branch.head, repo, name) != 0) {
      return tl::unexpected(GitError(fmt::format("cannot resolve {}", name)));
    }
    branches.push_back(std::move(branch));
  }
  return branches;
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
  auto reader = CommitReader::Open(repo, /*read_message=*/false, /*cache=*/true);
  if (!reader) {
    std::cerr << "estimate: " << reader.error().message << "\n";
    return 1;
  }
  for (const Branch& branch : *branches) {
    auto walked = WalkLikeRevwalk(*reader, branch.head, [&](const CommitInfo& info) {
      commits.push_back({info.email, info.name, info.committer_time});
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
  // Most hours first. An index loop rather than std::views::reverse, which clang 14 (clang-tidy)
  // cannot parse in libstdc++ 12's <ranges>.
  for (std::size_t i = report.authors.size(); i > 0; --i) {
    const feed::GitHoursAuthor& author = report.authors[i - 1];
    std::cout << fmt::format("{:<40} {:>8} {:>8}\n", author.email, author.commits, author.hours);
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
  // Every local branch; a repository without any (detached HEAD) walks HEAD; an empty one
  // (unborn HEAD) has no commits.
  auto branches = LocalBranches(repo);
  if (!branches) {
    std::cerr << "estimate: " << branches.error().message << "\n";
    return 1;
  }
  std::vector<git_oid> starts;
  for (const Branch& branch : *branches) {
    starts.push_back(branch.head);
  }
  git_oid head;
  if (starts.empty() && git_reference_name_to_id(&head, repo, "HEAD") == 0) {
    starts.push_back(head);
  }
  auto reader = CommitReader::Open(repo, /*read_message=*/true, /*cache=*/false);
  if (!reader) {
    std::cerr << "estimate: " << reader.error().message << "\n";
    return 1;
  }
  auto walked = WalkAll(*reader, starts, [&](const CommitInfo& info) {
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

// Static registration, as in every cmd_*.cc; its only possible exception is std::bad_alloc.
const CommandRegistration kRegistration("estimate", &AddEstimateCommand);  // NOLINT(cert-err58-cpp)

}  // namespace
}  // namespace worklog::cli

#include "gitlab/client.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "gitlab/http_call.h"

namespace worklog::gitlab {

using nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;

namespace internal {

struct ClientState {
  ClientState(Transport& t, BaseUrl url, std::string access_token, ClientOptions opts)
      : transport(t),
        base_url(std::move(url)),
        options(std::move(opts)),
        token(std::move(access_token)) {}

  Sleeper& sleeper() const {
    return options.sleeper != nullptr ? *options.sleeper : DefaultSleeper();
  }
  const Clock& clock() const { return options.clock != nullptr ? *options.clock : DefaultClock(); }

  std::pair<std::string, uint64_t> Token() {
    std::lock_guard lock(token_mutex);
    return {token, generation};
  }

  Transport& transport;
  BaseUrl base_url;       // set once, at construction
  ClientOptions options;  // set once, at construction
  std::mutex token_mutex;
  std::string token;         // Guarded by token_mutex.
  uint64_t generation = 0;   // Guarded by token_mutex; bumped on every new token.
  std::mutex refresh_mutex;  // one refresh at a time
};

}  // namespace internal

namespace {

constexpr std::string_view kReauthorize = "GitLab re-authorization needed";

struct Reply {
  HttpResponse response;
  json body;  // null when the call expects no body
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::string body;  // JSON, for POST
  bool idempotent = true;
  bool expect_json = true;
  std::vector<std::string> secrets;  // besides the token, kept out of messages and logs
};

Request Get(std::string url) {
  Request request;
  request.url = std::move(url);
  return request;
}

// "GET /api/v4/projects/5": the call without origin, query or anything secret.
std::string Describe(std::string_view method, std::string_view url) {
  std::string_view path = url;
  if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
    const auto slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  path = path.substr(0, std::min(path.find('?'), path.size()));
  return fmt::format("{} {}", method, path);
}

Status RefreshToken(internal::ClientState& s, uint64_t seen_generation) {
  std::lock_guard refresh_lock(s.refresh_mutex);
  {
    std::lock_guard lock(s.token_mutex);
    if (s.generation != seen_generation) {
      return {};  // another call refreshed while we waited
    }
  }
  spdlog::info("gitlab access token rejected (401); refreshing base_url={}", s.base_url.str());
  auto fresh = s.options.refresh();
  if (!fresh) {
    Error error = std::move(fresh.error());
    if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kRateLimited) {
      error.message = "refreshing the GitLab access token failed: " + error.message;
      return tl::unexpected(std::move(error));
    }
    spdlog::warn("gitlab token refresh failed: {}", error.message);
    return Unauthenticated(
        fmt::format("{}: the access token was rejected and refreshing it "
                    "failed ({})",
                    kReauthorize, error.message));
  }
  if (fresh->empty()) {
    return Unauthenticated(fmt::format("{}: refreshing gave no access token", kReauthorize));
  }
  std::lock_guard lock(s.token_mutex);
  s.token = std::move(*fresh);
  ++s.generation;
  return {};
}

Result<Reply> Execute(internal::ClientState& s, const Request& request) {
  const std::string what = Describe(request.method, request.url);
  bool refreshed = false;
  while (true) {
    auto [token, generation] = s.Token();
    internal::Call call;
    call.request.method = request.method;
    call.request.url = request.url;
    call.request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (!request.body.empty()) {
      call.request.headers.emplace_back("Content-Type", "application/json");
      call.request.body = request.body;
    }
    call.request.connect_timeout = s.options.connect_timeout;
    call.request.total_timeout = s.options.total_timeout;
    call.idempotent = request.idempotent;
    call.what = what;
    call.secrets = {token};
    call.secrets.insert(call.secrets.end(), request.secrets.begin(), request.secrets.end());

    json parsed;
    internal::Validator validate;
    if (request.expect_json) {
      validate = [&parsed, &what](const HttpResponse& response) -> Status {
        try {
          parsed = json::parse(response.body);
          return {};
        } catch (const json::parse_error& e) {
          return Unavailable(
              fmt::format("GitLab sent invalid JSON for {} (error at byte {} of "
                          "{}; truncated?)",
                          what, e.byte, response.body.size()));
        }
      };
    }
    auto sent = internal::SendWithRetries({s.transport, s.sleeper(), s.clock(), s.options.retry},
                                          call, validate);
    if (!sent) {
      Error error = std::move(sent.error());
      error.message =
          internal::Redact(std::move(error.message),
                           std::vector<std::string_view>(call.secrets.begin(), call.secrets.end()));
      error.field.clear();
      return tl::unexpected(std::move(error));
    }
    if (sent->status == 401) {
      if (!refreshed && s.options.refresh) {
        refreshed = true;
        if (auto ok = RefreshToken(s, generation); !ok) {
          return tl::unexpected(std::move(ok.error()));
        }
        continue;
      }
      spdlog::warn("gitlab {} answered 401; re-authorization needed", what);
      return Unauthenticated(
          fmt::format("{}: GitLab rejected the access token (401 to {})", kReauthorize, what));
    }
    if (sent->status < 200 || sent->status >= 300) {
      Error error = internal::StatusError(what, *sent);
      error.message =
          internal::Redact(std::move(error.message),
                           std::vector<std::string_view>(call.secrets.begin(), call.secrets.end()));
      return tl::unexpected(std::move(error));
    }
    return Reply{std::move(*sent), std::move(parsed)};
  }
}

// The part of `url` after its origin: "/api/v4/projects?page=2".
std::string PathAndQuery(std::string_view url) {
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    const auto slash = url.find('/', scheme + 3);
    return slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  }
  return std::string(url);
}

// `url` with its query parameter `name` set to `value`.
std::string WithParam(std::string_view url, std::string_view name, std::string_view value) {
  const auto question = url.find('?');
  std::string out(url.substr(0, question));
  std::string query;
  if (question != std::string_view::npos) {
    std::string_view rest = url.substr(question + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      if (!pair.starts_with(fmt::format("{}=", name)) && !pair.empty()) {
        query += query.empty() ? "" : "&";
        query += pair;
      }
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
  }
  query += query.empty() ? "" : "&";
  query += fmt::format("{}={}", name, PercentEncode(value));
  return out + "?" + query;
}

// The next page's URL, always on our own origin (a Link to another host is rebased, so the
// token never leaves the configured instance); nullopt on the last page.
std::optional<std::string> NextPageUrl(const BaseUrl& base, const HttpResponse& response,
                                       const std::string& current) {
  const std::string_view link = response.Header("link");
  if (!link.empty()) {
    std::size_t at = 0;
    while ((at = link.find('<', at)) != std::string_view::npos) {
      const auto close = link.find('>', at);
      if (close == std::string_view::npos) {
        break;
      }
      const std::string_view target = link.substr(at + 1, close - at - 1);
      const auto next_entry = link.find('<', close);
      const std::string_view params = link.substr(close + 1, next_entry - close - 1);
      if (params.find("rel=\"next\"") != std::string_view::npos ||
          params.find("rel=next") != std::string_view::npos) {
        return base.origin() + PathAndQuery(target);
      }
      at = close;
    }
    return std::nullopt;
  }
  const std::string_view next_page = response.Header("x-next-page");
  if (next_page.empty()) {
    return std::nullopt;
  }
  return WithParam(current, "page", next_page);
}

// Every item of every page; with `limit` > 0, only the first `limit` items.
Result<std::vector<json>> GetAll(internal::ClientState& s, std::string url, std::size_t limit = 0) {
  std::vector<json> items;
  const std::string what = Describe("GET", url);
  for (int page = 1; page <= s.options.max_pages; ++page) {
    auto reply = Execute(s, Get(url));
    if (!reply) {
      return tl::unexpected(std::move(reply.error()));
    }
    if (!reply->body.is_array()) {
      return Internal(fmt::format("GitLab answered {} with JSON that is not a list", what));
    }
    for (auto& item : reply->body) {
      items.push_back(std::move(item));
      if (limit > 0 && items.size() >= limit) {
        return items;
      }
    }
    auto next = NextPageUrl(s.base_url, reply->response, url);
    if (!next) {
      return items;
    }
    if (*next == url) {
      return Internal(fmt::format("GitLab's next page for {} is the page itself", what));
    }
    url = std::move(*next);
  }
  return Internal(
      fmt::format("{} has more than {} pages of {}; narrow the query (e.g. a shorter "
                  "date range)",
                  what, s.options.max_pages, s.options.per_page));
}

std::string ListUrl(const internal::ClientState& s, std::string_view path, Params params) {
  params.emplace_back("per_page", std::to_string(s.options.per_page));
  return s.base_url.Api(path) + "?" + internal::EncodeParams(params);
}

// JSON field readers that treat null and missing alike.
std::string Str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t Int(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

bool Bool(const json& j, const char* key, bool fallback = false) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::optional<TimePoint> Time(const json& j, const char* key) {
  const std::string text = Str(j, key);
  if (text.empty()) {
    return std::nullopt;
  }
  auto parsed = internal::ParseTime(text);
  if (!parsed) {
    spdlog::warn("gitlab sent an unreadable {}: {}", key, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

Status RequireId(const json& j, std::string_view what) {
  if (!j.is_object() || !j.contains("id") ||
      !(j["id"].is_number_integer() || j["id"].is_string())) {
    return Internal(fmt::format("GitLab sent a {} without an id", what));
  }
  return {};
}

GitlabUser ToUser(const json& j) {
  GitlabUser user;
  user.id = Int(j, "id");
  user.username = Str(j, "username");
  user.name = Str(j, "name");
  user.email = Str(j, "email");
  user.public_email = Str(j, "public_email");
  user.commit_email = Str(j, "commit_email");
  user.state = Str(j, "state");
  user.is_admin = Bool(j, "is_admin");
  user.web_url = Str(j, "web_url");
  return user;
}

UserRef ToUserRef(const json& j) {
  return UserRef{Int(j, "id"), Str(j, "username"), Str(j, "name")};
}

Project ToProject(const json& j) {
  Project project;
  project.id = Int(j, "id");
  project.name = Str(j, "name");
  project.path_with_namespace = Str(j, "path_with_namespace");
  project.web_url = Str(j, "web_url");
  project.default_branch = Str(j, "default_branch");
  project.archived = Bool(j, "archived");
  if (const auto it = j.find("permissions"); it != j.end() && it->is_object()) {
    for (const char* kind : {"project_access", "group_access"}) {
      if (const auto access = it->find(kind); access != it->end() && access->is_object()) {
        project.access_level =
            std::max(project.access_level, static_cast<int>(Int(*access, "access_level")));
      }
    }
  }
  return project;
}

Commit ToCommit(const json& j) {
  Commit commit;
  commit.id = Str(j, "id");
  commit.short_id = Str(j, "short_id");
  commit.title = Str(j, "title");
  commit.message = Str(j, "message");
  commit.author_name = Str(j, "author_name");
  commit.author_email = Str(j, "author_email");
  commit.authored_date = Time(j, "authored_date").value_or(TimePoint{});
  commit.committer_name = Str(j, "committer_name");
  commit.committer_email = Str(j, "committer_email");
  commit.committed_date = Time(j, "committed_date").value_or(TimePoint{});
  commit.web_url = Str(j, "web_url");
  if (const auto it = j.find("parent_ids"); it != j.end() && it->is_array()) {
    for (const auto& parent : *it) {
      if (parent.is_string()) {
        commit.parent_ids.push_back(parent.get<std::string>());
      }
    }
  }
  return commit;
}

MergeRequest ToMergeRequest(const json& j) {
  MergeRequest mr;
  mr.id = Int(j, "id");
  mr.iid = Int(j, "iid");
  mr.project_id = Int(j, "project_id");
  mr.title = Str(j, "title");
  mr.description = Str(j, "description");
  mr.state = Str(j, "state");
  mr.source_branch = Str(j, "source_branch");
  mr.target_branch = Str(j, "target_branch");
  if (const auto it = j.find("author"); it != j.end() && it->is_object()) {
    mr.author = ToUserRef(*it);
  }
  for (const char* key : {"merge_user", "merged_by"}) {
    if (const auto it = j.find(key); it != j.end() && it->is_object()) {
      mr.merged_by = ToUserRef(*it);
      break;
    }
  }
  mr.created_at = Time(j, "created_at").value_or(TimePoint{});
  mr.updated_at = Time(j, "updated_at").value_or(TimePoint{});
  mr.merged_at = Time(j, "merged_at");
  mr.closed_at = Time(j, "closed_at");
  mr.sha = Str(j, "sha");
  mr.merge_commit_sha = Str(j, "merge_commit_sha");
  mr.web_url = Str(j, "web_url");
  return mr;
}

Member ToMember(const json& j) {
  Member member;
  member.id = Int(j, "id");
  member.username = Str(j, "username");
  member.name = Str(j, "name");
  member.state = Str(j, "state");
  member.access_level = static_cast<int>(Int(j, "access_level"));
  member.email = Str(j, "email");
  return member;
}

Hook ToHook(const json& j) {
  Hook hook;
  hook.id = Int(j, "id");
  hook.project_id = Int(j, "project_id");
  hook.url = Str(j, "url");
  hook.push_events = Bool(j, "push_events");
  hook.merge_requests_events = Bool(j, "merge_requests_events");
  hook.note_events = Bool(j, "note_events");
  hook.issues_events = Bool(j, "issues_events");
  hook.enable_ssl_verification = Bool(j, "enable_ssl_verification", true);
  hook.alert_status = Str(j, "alert_status");
  return hook;
}

template <typename T, typename Convert>
Result<std::vector<T>> ConvertAll(Result<std::vector<json>> items, std::string_view what,
                                  Convert convert) {
  if (!items) {
    return tl::unexpected(std::move(items.error()));
  }
  std::vector<T> out;
  out.reserve(items->size());
  for (const auto& item : *items) {
    if (auto ok = RequireId(item, what); !ok) {
      return tl::unexpected(std::move(ok.error()));
    }
    out.push_back(convert(item));
  }
  return out;
}

template <typename T, typename Convert>
Result<T> ConvertOne(Result<Reply> reply, std::string_view what, Convert convert) {
  if (!reply) {
    return tl::unexpected(std::move(reply.error()));
  }
  if (auto ok = RequireId(reply->body, what); !ok) {
    return tl::unexpected(std::move(ok.error()));
  }
  return convert(reply->body);
}

std::string ProjectPath(int64_t project_id, std::string_view rest = {}) {
  return fmt::format("/projects/{}{}", project_id, rest);
}

bool IsSha(std::string_view text) {
  return text.size() >= 7 && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

bool IsZeroSha(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

std::string FormatDay(std::chrono::sys_days day) { return date::format("%F", day); }

}  // namespace

Client::Client(Transport& transport, BaseUrl base_url, std::string access_token,
               ClientOptions options)
    : state_(std::make_unique<internal::ClientState>(
          transport, std::move(base_url), std::move(access_token), std::move(options))) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

const BaseUrl& Client::base_url() const { return state_->base_url; }

void Client::SetAccessToken(std::string access_token) {
  std::lock_guard lock(state_->token_mutex);
  state_->token = std::move(access_token);
  ++state_->generation;
}

Result<GitlabUser> Client::CurrentUser() {
  return ConvertOne<GitlabUser>(Execute(*state_, Get(state_->base_url.Api("/user"))), "user",
                                ToUser);
}

Result<std::vector<GitlabEmail>> Client::CurrentUserEmails() {
  return ConvertAll<GitlabEmail>(
      GetAll(*state_, ListUrl(*state_, "/user/emails", {})), "e-mail", [](const json& j) {
        return GitlabEmail{Int(j, "id"), Str(j, "email"), !Str(j, "confirmed_at").empty()};
      });
}

Result<std::vector<GitlabUser>> Client::SearchUsers(std::string_view search) {
  if (search.empty()) {
    return InvalidArgument("search", "must not be empty");
  }
  return ConvertAll<GitlabUser>(
      GetAll(*state_, ListUrl(*state_, "/users", {{"search", std::string(search)}})), "user",
      ToUser);
}

Result<std::vector<Project>> Client::OwnedProjects() {
  const Params params = {{"min_access_level", std::to_string(kAccessOwner)},
                         {"pagination", "keyset"},
                         {"order_by", "id"},
                         {"sort", "asc"}};
  return ConvertAll<Project>(GetAll(*state_, ListUrl(*state_, "/projects", params)), "project",
                             [](const json& j) {
                               Project project = ToProject(j);
                               // The filter guarantees Owner even where GitLab sends null
                               // permissions.
                               project.access_level = std::max(project.access_level, kAccessOwner);
                               return project;
                             });
}

Result<Project> Client::GetProject(int64_t project_id) {
  return ConvertOne<Project>(Execute(*state_, Get(state_->base_url.Api(ProjectPath(project_id)))),
                             "project", ToProject);
}

Result<std::vector<RawEvent>> Client::ProjectEvents(int64_t project_id, const EventsQuery& query) {
  Params params;
  if (query.after) {
    params.emplace_back("after", FormatDay(*query.after));
  }
  if (query.before) {
    params.emplace_back("before", FormatDay(*query.before));
  }
  if (!query.action.empty()) {
    params.emplace_back("action", query.action);
  }
  if (!query.target_type.empty()) {
    params.emplace_back("target_type", query.target_type);
  }
  if (!query.sort.empty()) {
    params.emplace_back("sort", query.sort);
  }
  auto items = GetAll(*state_, ListUrl(*state_, ProjectPath(project_id, "/events"), params));
  if (!items) {
    return tl::unexpected(std::move(items.error()));
  }
  std::vector<RawEvent> events;
  events.reserve(items->size());
  for (const auto& item : *items) {
    if (!item.is_object()) {
      return Internal("GitLab sent an event that is not a JSON object");
    }
    events.push_back(RawEvent{
        .id = Int(item, "id"), .created_at = Time(item, "created_at"), .json = item.dump()});
  }
  return events;
}

Result<std::vector<Commit>> Client::Commits(int64_t project_id, const CommitsQuery& query) {
  Params params;
  if (!query.ref_name.empty()) {
    params.emplace_back("ref_name", query.ref_name);
  }
  if (query.since) {
    params.emplace_back("since", internal::FormatTime(*query.since));
  }
  if (query.until) {
    params.emplace_back("until", internal::FormatTime(*query.until));
  }
  if (query.all) {
    params.emplace_back("all", "true");
  }
  if (query.first_parent) {
    params.emplace_back("first_parent", "true");
  }
  if (query.max_commits < 0) {
    return InvalidArgument("max_commits", "must not be negative");
  }
  return ConvertAll<Commit>(
      GetAll(*state_, ListUrl(*state_, ProjectPath(project_id, "/repository/commits"), params),
             static_cast<std::size_t>(query.max_commits)),
      "commit", ToCommit);
}

Result<std::vector<Commit>> Client::CommitRange(int64_t project_id, std::string_view before,
                                                std::string_view after) {
  if (IsZeroSha(before)) {
    return InvalidArgument("before", "is the zero SHA (a new branch): there is no range");
  }
  if (!IsSha(before)) {
    return InvalidArgument("before", "must be a commit SHA (hexadecimal)");
  }
  if (!IsSha(after) || IsZeroSha(after)) {
    return InvalidArgument("after", "must be a commit SHA (hexadecimal), not zero");
  }
  CommitsQuery query;
  query.ref_name = fmt::format("{}..{}", before, after);
  return Commits(project_id, query);
}

Result<std::vector<MergeRequest>> Client::MergeRequests(int64_t project_id,
                                                        std::optional<TimePoint> updated_after) {
  Params params = {{"state", "all"}, {"order_by", "updated_at"}, {"sort", "asc"}};
  if (updated_after) {
    params.emplace_back("updated_after", internal::FormatTime(*updated_after));
  }
  return ConvertAll<MergeRequest>(
      GetAll(*state_, ListUrl(*state_, ProjectPath(project_id, "/merge_requests"), params)),
      "merge request", ToMergeRequest);
}

Result<std::vector<Member>> Client::ProjectMembers(int64_t project_id) {
  return ConvertAll<Member>(
      GetAll(*state_, ListUrl(*state_, ProjectPath(project_id, "/members/all"), {})), "member",
      ToMember);
}

Result<std::vector<Hook>> Client::ListProjectHooks(int64_t project_id) {
  return ConvertAll<Hook>(GetAll(*state_, ListUrl(*state_, ProjectPath(project_id, "/hooks"), {})),
                          "hook", ToHook);
}

Result<Hook> Client::CreateProjectHook(int64_t project_id, const HookSpec& spec) {
  if (spec.url.empty()) {
    return InvalidArgument("url", "is required");
  }
  const json body = {{"url", spec.url},
                     {"token", spec.token},
                     {"push_events", spec.push_events},
                     {"merge_requests_events", spec.merge_requests_events},
                     {"note_events", spec.note_events},
                     {"issues_events", spec.issues_events},
                     {"enable_ssl_verification", spec.enable_ssl_verification}};
  Request request;
  request.method = "POST";
  request.url = state_->base_url.Api(ProjectPath(project_id, "/hooks"));
  request.body = body.dump();
  request.idempotent = false;
  request.secrets = {spec.token};
  return ConvertOne<Hook>(Execute(*state_, request), "hook", ToHook);
}

Status Client::DeleteProjectHook(int64_t project_id, int64_t hook_id) {
  Request request;
  request.method = "DELETE";
  request.url = state_->base_url.Api(ProjectPath(project_id, fmt::format("/hooks/{}", hook_id)));
  request.expect_json = false;
  auto reply = Execute(*state_, request);
  if (!reply && reply.error().code == ErrorCode::kNotFound) {
    return {};  // already gone
  }
  if (!reply) {
    return tl::unexpected(std::move(reply.error()));
  }
  return {};
}

}  // namespace worklog::gitlab

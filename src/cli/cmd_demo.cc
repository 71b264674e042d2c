// worklog demo [--listen HOST:PORT] [--sim-listen HOST:PORT] [--data-dir DIR] [--web-dir DIR]
//
// A worklog to look around in, in one command: the GitLab simulator (`--seed demo`, in this
// process) and `worklog serve` (this binary, as a child process on a fresh SQLite database)
// already connected to it. The demo does what an administrator would, over worklog's own
// HTTP API: installs the GitLab app, connects the organization through the real OAuth flow
// (signing in at the simulator as its owner, alice, and consenting), adds staff and connects
// them with GitLab by e-mail. Then it prints the URL and two sign-ins (an administrator and
// a developer) and runs until SIGINT or SIGTERM.
//
// Nothing here duplicates `serve` or `user add`: the demo runs those commands of this same
// binary, so the server it shows is the one people deploy.

#include <fcntl.h>
#include <httplib.h>
#include <spawn.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/wait.h>

#include "cli/commands.h"
#include "common/crypto.h"
#include "gitlab-sim/sim.h"

namespace worklog::cli {
namespace {

using nlohmann::json;
using std::chrono::seconds;

struct DemoFlags {
  std::string listen = "127.0.0.1:8080";
  std::string sim_listen = "127.0.0.1:8929";
  std::string data_dir;  // default: a new directory under $TMPDIR, removed on exit
  std::string web_dir;
  int poll_interval_seconds = 60;
};

// The staff the demo adds: the simulator's acme people, by the e-mail GitLab knows them by.
struct DemoPerson {
  const char* username;
  const char* name;
};
constexpr DemoPerson kDeveloper{"carol", "Carol Chen"};
constexpr auto kStaff = std::to_array<DemoPerson>({kDeveloper,
                                                   {"dave", "Dave Dubois"},
                                                   {"erin", "Erin Evans"},
                                                   {"frank", "Frank Fischer"},
                                                   {"grace", "Grace Green"}});
constexpr const char* kOwner = "alice";  // Owner of acme in the simulator
constexpr const char* kCallbackPath = "/apps/gitlab/oauth/callback";

class DemoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string FormEncode(const std::string& text) {
  return httplib::detail::encode_query_param(text);
}

std::string HtmlUnescape(std::string text) {
  const auto entities = std::to_array<std::pair<std::string_view, std::string_view>>(
      {{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}});
  for (const auto& [entity, plain] : entities) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + plain.size())) {
      text.replace(at, entity.size(), plain);
    }
  }
  return text;
}

// The <input name value> pairs of <form id="form_id"> in `html`.
std::vector<std::pair<std::string, std::string>> FormFields(std::string_view html,
                                                            std::string_view form_id) {
  const auto attribute = [](std::string_view tag, std::string_view name) {
    const std::string key = std::string(name) + "=\"";
    const auto at = tag.find(key);
    if (at == std::string_view::npos) {
      return std::string();
    }
    const auto start = at + key.size();
    return HtmlUnescape(std::string(tag.substr(start, tag.find('"', start) - start)));
  };
  std::vector<std::pair<std::string, std::string>> fields;
  const auto form = html.find("id=\"" + std::string(form_id) + "\"");
  if (form == std::string_view::npos) {
    return fields;
  }
  const std::string_view body = html.substr(form, html.find("</form>", form) - form);
  for (auto at = body.find("<input"); at != std::string_view::npos;
       at = body.find("<input", at + 1)) {
    const std::string_view tag = body.substr(at, body.find('>', at) - at);
    fields.emplace_back(attribute(tag, "name"), attribute(tag, "value"));
  }
  return fields;
}

// What a browser does for the demo: cookies per origin, forms, redirects followed by hand;
// JSON calls to worklog with its CSRF token.
class DemoBrowser {
 public:
  struct Page {
    int status = 0;
    std::string url;
    std::string location;  // absolute
    std::string body;
  };

  Page Send(const std::string& method, const std::string& url, const std::string& body = "",
            const std::string& content_type = "application/x-www-form-urlencoded") {
    const auto path = url.find('/', url.find("://") + 3);
    const std::string origin = path == std::string::npos ? url : url.substr(0, path);
    const std::string target = path == std::string::npos ? "/" : url.substr(path);
    httplib::Client client(origin);
    client.set_connection_timeout(seconds(5));
    client.set_read_timeout(seconds(60));
    httplib::Headers headers;
    std::string cookie;
    for (const auto& [name, value] : jar_[origin]) {
      if (!cookie.empty()) {
        cookie += "; ";
      }
      cookie.append(name).append("=").append(value);
    }
    if (!cookie.empty()) {
      headers.emplace("Cookie", cookie);
    }
    if (method != "GET" && !csrf_.empty()) {
      headers.emplace("X-CSRF-Token", csrf_);
    }
    httplib::Result result = method == "POST" ? client.Post(target, headers, body, content_type)
                                              : client.Get(target, headers);
    if (!result) {
      throw DemoError(fmt::format("{} {}: {}", method, url, httplib::to_string(result.error())));
    }
    Page page{.status = result->status, .url = url, .location = "", .body = result->body};
    for (const auto& [name, value] : result->headers) {
      if (name == "Set-Cookie" || name == "set-cookie") {
        const std::string pair = value.substr(0, value.find(';'));
        const auto eq = pair.find('=');
        jar_[origin][pair.substr(0, eq)] = pair.substr(eq + 1);
      }
    }
    page.location = result->get_header_value("Location");
    if (!page.location.empty() && page.location.front() == '/') {
      page.location = origin + page.location;
    }
    return page;
  }

  // Follows redirects from `url` until a page, or a redirect to a URL starting with
  // `stop_at` (returned in `location`, not followed).
  Page Follow(std::string url, const std::string& stop_at) {
    for (int hops = 0; hops < 10; ++hops) {
      Page page = Send("GET", url);
      if (page.status < 300 || page.status >= 400 || page.location.empty() ||
          page.location.starts_with(stop_at)) {
        return page;
      }
      url = page.location;
    }
    throw DemoError("too many redirects from " + url);
  }

  // A JSON call to worklog's API; throws unless it answers 2xx.
  json Api(const std::string& method, const std::string& url, const json& body = nullptr) {
    const Page page = Send(method, url, body.is_null() ? "" : body.dump(), "application/json");
    if (page.status < 200 || page.status >= 300) {
      throw DemoError(fmt::format("{} {} answered {}: {}", method, url, page.status, page.body));
    }
    return page.body.empty() ? json(nullptr) : json::parse(page.body);
  }

  void SetCsrf(std::string token) { csrf_ = std::move(token); }

 private:
  std::map<std::string, std::map<std::string, std::string>> jar_;
  std::string csrf_;
};

// The OAuth consent at GitLab: signs in as `login` if asked, authorizes if asked, and
// returns GitLab's redirect back to worklog (`callback_prefix`…).
std::string ConsentAtGitlab(DemoBrowser& browser, const std::string& authorize_url,
                            const std::string& login, const std::string& password,
                            const std::string& sim_url, const std::string& callback_prefix) {
  DemoBrowser::Page page = browser.Follow(authorize_url, callback_prefix);
  if (page.status == 200 && page.body.find("id=\"new_user\"") != std::string::npos) {
    std::string form;
    for (const auto& [name, value] : FormFields(page.body, "new_user")) {
      if (name == "authenticity_token") {
        form += name + "=" + FormEncode(value) + "&";
      }
    }
    form += "user%5Blogin%5D=" + FormEncode(login) + "&user%5Bpassword%5D=" + FormEncode(password);
    const DemoBrowser::Page signed_in = browser.Send("POST", sim_url + "/users/sign_in", form);
    if (signed_in.location.empty()) {
      throw DemoError("signing in at the GitLab simulator as " + login + " failed");
    }
    page = browser.Follow(signed_in.location, callback_prefix);
  }
  if (page.status == 200 && page.body.find("authorize-form") != std::string::npos) {
    std::string form;
    for (const auto& [name, value] : FormFields(page.body, "authorize-form")) {
      form += (form.empty() ? "" : "&") + FormEncode(name) + "=" + FormEncode(value);
    }
    page = browser.Send("POST", sim_url + "/oauth/authorize", form);
  }
  if (!page.location.starts_with(callback_prefix)) {
    throw DemoError(
        fmt::format("GitLab did not send the browser back to worklog (status {})", page.status));
  }
  return page.location;
}

// `worklog <args…>` (this binary) as a child process; stdout and stderr go to `log`.
pid_t SpawnSelf(const std::vector<std::string>& args, const std::string& log, int* stdin_fd) {
  std::vector<std::string> argv = {std::filesystem::read_symlink("/proc/self/exe").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  raw.reserve(argv.size() + 1);
  for (std::string& arg : argv) {
    raw.push_back(arg.data());
  }
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::array<int, 2> pipe_fds = {-1, -1};
  if (stdin_fd != nullptr && ::pipe(pipe_fds.data()) == 0) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The child gets the default signal mask back (this process blocks SIGINT and SIGTERM).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, raw[0], &actions, &attributes, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (stdin_fd != nullptr && pipe_fds[0] >= 0) {
    ::close(pipe_fds[0]);
    *stdin_fd = pipe_fds[1];
  }
  if (failed != 0) {
    throw DemoError(
        fmt::format("cannot start {}: {}", argv[0], std::generic_category().message(failed)));
  }
  return pid;
}

// `worklog user add` with a password on the demo's database.
void AddUserWithPassword(const std::string& db, const std::string& email, const std::string& name,
                         const std::string& password, const std::string& log) {
  int input = -1;
  const pid_t pid = SpawnSelf({"user", "add", "--db", db, "--email", email, "--name", name,
                               "--role", "user", "--password-stdin"},
                              log, &input);
  const std::string line = password + "\n";
  if (input >= 0) {
    (void)!::write(input, line.data(), line.size());
    ::close(input);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw DemoError("worklog user add " + email + " failed (see " + log + ")");
  }
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

struct Listen {
  std::string host;
  int port = 0;
};

std::optional<Listen> ParseListen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::nullopt;
  }
  try {
    std::size_t used = 0;
    const int port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port < 0 || port > 65535) {
      return std::nullopt;
    }
    return Listen{text.substr(0, colon), port};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A free port on `host` (for port 0: the redirect URI must be known before serve starts).
// A plain socket, closed before serve binds: a listening socket left open here would share
// the port with serve (SO_REUSEPORT) and swallow some of its connections.
int FreePort(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  int port = -1;
  socklen_t length = sizeof(address);
  auto* generic = reinterpret_cast<sockaddr*>(&address);  // NOLINT: the sockets API
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) == 1 &&
      ::bind(fd, generic, sizeof(address)) == 0 && ::getsockname(fd, generic, &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

struct Seeded {
  std::string admin_email;
  std::string admin_password;
  std::string developer_email;
  std::string developer_password;
  std::string owner_password;
  int connected = 0;
};

// Everything an administrator does to connect the organization and its staff, over HTTP.
Seeded Seed(const std::string& url, const std::string& data_dir, const std::string& db,
            const std::string& log, gitlab_sim::GitLabSim& sim) {
  Seeded out;
  out.admin_email = "admin@localhost";
  out.admin_password = ReadFirstLine((std::filesystem::path(data_dir) / "initial-admin-password"));
  if (out.admin_password.empty()) {
    throw DemoError("the first administrator's password file is missing in " + data_dir);
  }
  const gitlab_sim::DemoInfo& demo = sim.demo();
  for (const gitlab_sim::DemoAccount& account : demo.accounts) {
    if (account.username == kOwner) {
      out.owner_password = account.password;
    }
  }
  out.developer_email = std::string(kDeveloper.username) + "@acme.example";
  out.developer_password = RandomToken(12);
  AddUserWithPassword(db, out.developer_email, kDeveloper.name, out.developer_password, log);

  DemoBrowser browser;
  const json session = browser.Api("POST", url + "/api/v1/session",
                                   {{"email", out.admin_email}, {"password", out.admin_password}});
  browser.SetCsrf(session.at("csrf_token").get<std::string>());
  for (const DemoPerson& person : kStaff) {
    if (&person == &kStaff[0]) {
      continue;  // the developer, added with a password above
    }
    browser.Api("POST", url + "/api/v1/staff",
                {{"email", std::string(person.username) + "@acme.example"},
                 {"name", person.name},
                 {"role", "user"},
                 {"timezone", "UTC"}});
  }

  // Apps › GitLab › Install, then Organization › Connect GitLab organization and consent.
  browser.Api("POST", url + "/api/v1/apps/gitlab/install");
  const json connect = browser.Api("POST", url + "/api/v1/apps/gitlab/organization/connect",
                                   {{"base_url", sim.url()},
                                    {"client_id", demo.oauth_application_id},
                                    {"client_secret", demo.oauth_secret}});
  const std::string callback =
      ConsentAtGitlab(browser, connect.at("authorize_url").get<std::string>(), kOwner,
                      out.owner_password, sim.url(), url + kCallbackPath);
  const DemoBrowser::Page landed = browser.Send("GET", callback);
  const json org = browser.Api("GET", url + "/api/v1/apps/gitlab/organization");
  if (landed.status != 302 || org.value("status", "") != "connected") {
    throw DemoError(
        fmt::format("connecting the organization failed: {} {}", landed.location, org.dump()));
  }

  // Manage Staff › select everyone › Actions › Connect with GitLab; where an e-mail matches
  // several GitLab users, pick the one whose username is the address's local part.
  std::vector<int64_t> ids;
  std::map<int64_t, std::string> usernames;
  for (const json& member : browser.Api("GET", url + "/api/v1/staff")) {
    if (member.value("role", "") == "user") {
      const auto id = member.at("id").get<int64_t>();
      ids.push_back(id);
      const std::string email = member.value("email", "");
      usernames[id] = email.substr(0, email.find('@'));
    }
  }
  json choices = json::array();
  for (const json& result :
       browser.Api("POST", url + "/api/v1/staff/actions/connect-gitlab", {{"user_ids", ids}})) {
    const auto user_id = result.at("user_id").get<int64_t>();
    const std::string outcome = result.value("result", "");
    out.connected += outcome == "connected" || outcome == "already_connected" ? 1 : 0;
    if (outcome == "ambiguous") {
      for (const json& candidate : result.value("candidates", json::array())) {
        if (candidate.value("username", "") == usernames[user_id]) {
          choices.push_back({{"user_id", user_id}, {"gitlab_user_id", candidate.at("id")}});
        }
      }
    }
  }
  if (!choices.empty()) {
    std::vector<int64_t> picked;
    for (const json& choice : choices) {
      picked.push_back(choice.at("user_id").get<int64_t>());
    }
    for (const json& result : browser.Api("POST", url + "/api/v1/staff/actions/connect-gitlab",
                                          {{"user_ids", picked}, {"choices", choices}})) {
      out.connected += result.value("result", "") == "connected" ? 1 : 0;
    }
  }
  return out;
}

int RunDemo(const DemoFlags& flags) {
  const auto listen = ParseListen(flags.listen);
  const auto sim_listen = ParseListen(flags.sim_listen);
  if (!listen || !sim_listen) {
    fmt::print(stderr, "worklog demo: {} must be HOST:PORT, like 127.0.0.1:8080\n",
               listen ? "--sim-listen" : "--listen");
    return 2;
  }
  const int port = listen->port == 0 ? FreePort(listen->host) : listen->port;
  if (port <= 0) {
    fmt::print(stderr, "worklog demo: no free port on {}\n", listen->host);
    return 1;
  }
  const std::string url = fmt::format("http://{}:{}", listen->host, port);

  // A fresh data directory unless one is given: the demo always starts from the seed.
  std::string data_dir = flags.data_dir;
  const bool own_data_dir = data_dir.empty();
  if (own_data_dir) {
    std::string pattern = (std::filesystem::temp_directory_path() / "worklog-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      fmt::print(stderr, "worklog demo: cannot create a data directory: {}\n",
                 std::generic_category().message(errno));
      return 1;
    }
    data_dir = pattern;
  }
  const std::string db = "sqlite:" + (std::filesystem::path(data_dir) / "worklog.db").string();
  const std::string log = (std::filesystem::path(data_dir) / "demo.log").string();

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  gitlab_sim::SimOptions options;
  options.host = sim_listen->host;
  options.port = sim_listen->port;
  options.seed = gitlab_sim::Seed::kDemo;
  options.oauth_redirect_uri = url + kCallbackPath;
  gitlab_sim::GitLabSim sim(options);
  if (auto started = sim.Start(); !started) {
    fmt::print(stderr, "worklog demo: the GitLab simulator did not start: {}\n",
               started.error().message);
    return 1;
  }

  std::vector<std::string> serve = {"serve",
                                    "--db",
                                    db,
                                    "--listen",
                                    fmt::format("{}:{}", listen->host, port),
                                    "--public-url",
                                    url,
                                    "--data-dir",
                                    data_dir,
                                    "--poll-interval",
                                    std::to_string(flags.poll_interval_seconds)};
  if (!flags.web_dir.empty()) {
    serve.insert(serve.end(), {"--web-dir", flags.web_dir});
  }
  int exit_code = 0;
  pid_t server = -1;
  try {
    server = SpawnSelf(serve, log, nullptr);
    // Ready when it answers /healthz (and the first administrator exists).
    httplib::Client health(url);
    health.set_connection_timeout(seconds(1));
    bool up = false;
    for (int tries = 0; tries < 300 && !up; ++tries) {
      int status = 0;
      if (::waitpid(server, &status, WNOHANG) == server) {
        server = -1;
        throw DemoError("worklog serve exited; its log is " + log);
      }
      auto answer = health.Get("/healthz");
      up = answer && answer->status == 200;
      if (!up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    if (!up) {
      throw DemoError("worklog serve did not answer on " + url + "; its log is " + log);
    }
    const Seeded seeded = Seed(url, data_dir, db, log, sim);
    fmt::print(
        "worklog demo: ready at {url}\n"
        "  administrator  {ae} / {ap}\n"
        "  developer      {de} / {dp}\n"
        "The GitLab organization is connected (through OAuth as @{owner} at the simulator) and\n"
        "{n} staff members are connected with GitLab; history is importing in the background.\n"
        "GitLab simulator: {sim} (sign in as {owner} / {op}).\n"
        "Data and logs: {dir}{temp}. Stop with Ctrl-C.\n",
        fmt::arg("url", url), fmt::arg("ae", seeded.admin_email),
        fmt::arg("ap", seeded.admin_password), fmt::arg("de", seeded.developer_email),
        fmt::arg("dp", seeded.developer_password), fmt::arg("owner", kOwner),
        fmt::arg("n", seeded.connected), fmt::arg("sim", sim.url()),
        fmt::arg("op", seeded.owner_password), fmt::arg("dir", data_dir),
        fmt::arg("temp", own_data_dir ? " (removed on exit)" : ""));
    std::fflush(stdout);

    // Until Ctrl-C, or until the server stops by itself.
    const timespec tick{.tv_sec = 0, .tv_nsec = 500'000'000};
    while (true) {
      const int signal = sigtimedwait(&stop_signals, nullptr, &tick);
      if (signal == SIGINT || signal == SIGTERM) {
        break;
      }
      int status = 0;
      if (::waitpid(server, &status, WNOHANG) == server) {
        server = -1;
        fmt::print(stderr, "worklog demo: worklog serve stopped; its log is {}\n", log);
        exit_code = 1;
        break;
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "worklog demo: {}\n", e.what());
    exit_code = 1;
  }
  if (server > 0) {
    ::kill(server, SIGTERM);
    int status = 0;
    ::waitpid(server, &status, 0);
  }
  sim.Stop();
  if (own_data_dir && exit_code == 0) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir, ignored);
  }
  return exit_code;
}

void AddDemoCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* command = app.add_subcommand(
      "demo", "serve + the GitLab simulator, seeded and connected; prints the URL and sign-ins");
  command->add_option("--listen", flags->listen, "HOST:PORT for worklog (port 0: any free)")
      ->envname("WORKLOG_LISTEN")
      ->capture_default_str();
  command->add_option("--sim-listen", flags->sim_listen, "HOST:PORT for the GitLab simulator")
      ->envname("WORKLOG_GITLAB_SIM_LISTEN")
      ->capture_default_str();
  command
      ->add_option("--data-dir", flags->data_dir,
                   "directory for the demo's database and logs (default: a new temporary one)")
      ->envname("WORKLOG_DEMO_DATA_DIR");
  command
      ->add_option("--web-dir", flags->web_dir,
                   "directory of the built UI (default web/dist when it exists)")
      ->envname("WORKLOG_WEB_DIR");
  command->add_option("--poll-interval", flags->poll_interval_seconds, "seconds between polls")
      ->capture_default_str();
  command->callback([flags, &exit_code] { exit_code = RunDemo(*flags); });
}

const CommandRegistration kRegistration("demo", &AddDemoCommand);  // NOLINT(cert-err58-cpp)

}  // namespace
}  // namespace worklog::cli

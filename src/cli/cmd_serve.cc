// worklog serve --listen HOST:PORT --db URL --public-url URL --data-dir DIR [--web-dir DIR]
//
// Applies the database migrations, creates the first administrator on an empty database,
// and serves the API and the UI until SIGINT or SIGTERM. Prints
//   worklog: listening on http://HOST:PORT
// on standard output once it accepts connections (with port 0, the port it got).

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "app/app.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/log_sink.h"
#include "common/process_memory.h"
#include "http/server.h"
#include "store/backup.h"

namespace worklog::cli {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string db_url;
  std::string public_url;  // default: http://<listen>
  std::string data_dir = "./data";
  std::string web_dir;  // default: web/dist when it exists
  int threads = 32;
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For names the client
  int poll_interval_seconds = 300;
  std::string gitlab_integration = "on";  // on | off
  std::string smart_commits = "on";       // on | off: the organization-wide rule
  int backfill_days = 30;
  double gitlab_timeout_seconds = 0;  // 0: the clients' own (60 s per API call)
  // The GitLab workers' nice (Linux); 0: as the connection threads. 10 by default: the
  // backlog is durable in the inbox, and a webhook's acknowledgement should not share the CPU
  // evenly with normalizing it (SQLite, load 8-20: 860-1,022 -> 2,160-2,319 acks/s).
  int worker_nice = 10;
  int inbox_workers = 4;         // threads normalizing stored webhook deliveries
  int worker_lease_seconds = 0;  // 0: 300 s for jobs, 120 s for webhook deliveries
  int feed_cache_mib = 32;       // Activity Feed responses kept in memory; 0: none
  int inbox_retention_days = 7;  // done webhook deliveries kept; 0: forever
};

// Whatever way serve returns, the last buffered lines of `logger` are written out.
struct FlushOnReturn {
  explicit FlushOnReturn(spdlog::logger& to_flush) : logger(to_flush) {}
  FlushOnReturn(const FlushOnReturn&) = delete;
  FlushOnReturn& operator=(const FlushOnReturn&) = delete;
  FlushOnReturn(FlushOnReturn&&) = delete;
  FlushOnReturn& operator=(FlushOnReturn&&) = delete;
  ~FlushOnReturn() { logger.flush(); }

  spdlog::logger& logger;
};

struct HostPort {
  std::string host;
  int port = 0;
};

Result<HostPort> ParseListen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("--listen", "must be HOST:PORT, like 127.0.0.1:8080");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) {
      port = -1;
    }
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument("--listen", "must end in a port number from 0 to 65535");
  }
  return HostPort{std::move(host), port};
}

void Say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int RunServe(ServeFlags flags) {
  // Before any thread starts: 32 connection threads each building large responses would
  // otherwise hold their own arenas' peaks (see common/process_memory.h).
  ConfigureMalloc(MallocSettings{});
  auto listen = ParseListen(flags.listen);
  if (!listen) {
    fmt::print(stderr, "worklog serve: {} {}\n", listen.error().field, listen.error().message);
    return 2;
  }
  const bool default_public_url = flags.public_url.empty();
  if (default_public_url) {
    flags.public_url = fmt::format("http://{}", flags.listen);
  }
  while (flags.public_url.ends_with('/')) {
    flags.public_url.pop_back();
  }
  if (!flags.public_url.starts_with("http://") && !flags.public_url.starts_with("https://")) {
    fmt::print(stderr, "worklog serve: --public-url must start with http:// or https://\n");
    return 2;
  }
  if (flags.threads < 2 || flags.threads > 1024) {
    fmt::print(stderr, "worklog serve: --threads must be from 2 to 1024\n");
    return 2;
  }
  auto trusted_proxies = http::TrustedProxies::Parse(flags.trusted_proxies);
  if (!trusted_proxies) {
    fmt::print(stderr, "worklog serve: --{}: {}\n", trusted_proxies.error().field,
               trusted_proxies.error().message);
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(flags.data_dir, ec);
  if (ec) {
    fmt::print(stderr, "worklog serve: cannot create --data-dir {}: {}\n", flags.data_dir,
               ec.message());
    return 1;
  }
  ::chmod(flags.data_dir.c_str(), 0700);
  if (flags.web_dir.empty() && std::filesystem::is_directory("web/dist", ec)) {
    flags.web_dir = "web/dist";
  }

  // Signals are taken by one thread with sigtimedwait; every thread started from here on
  // inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  // Logs go to stderr; stdout carries the few lines meant for the person who started us.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("worklog"));
  // The access log (a line per request, and per webhook delivery stored) through a buffer:
  // one write per 64 KiB of lines instead of one per line, written out at least once a
  // second and when serve returns (common/log_sink.h). Its lines read as the others do.
  const auto access_log = BufferedFdLogger("access", STDERR_FILENO);
  access_log->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [worklog] [%l] %v");
  spdlog::register_logger(access_log);
  spdlog::flush_every(std::chrono::seconds(1));
  const FlushOnReturn flush_access_log{*access_log};

  if (flags.gitlab_integration != "on" && flags.gitlab_integration != "off") {
    fmt::print(stderr, "worklog serve: --gitlab-integration must be on or off\n");
    return 2;
  }
  if (flags.smart_commits != "on" && flags.smart_commits != "off") {
    fmt::print(stderr, "worklog serve: --smart-commits must be on or off\n");
    return 2;
  }
  if (flags.poll_interval_seconds < 5 || flags.poll_interval_seconds > 86400) {
    fmt::print(stderr, "worklog serve: --poll-interval must be from 5 to 86400 seconds\n");
    return 2;
  }
  if (flags.backfill_days < 0 || flags.backfill_days > 3650) {
    fmt::print(stderr, "worklog serve: --backfill-days must be from 0 to 3650\n");
    return 2;
  }
  if (flags.gitlab_timeout_seconds != 0 &&
      (flags.gitlab_timeout_seconds < 0.1 || flags.gitlab_timeout_seconds > 600)) {
    fmt::print(stderr, "worklog serve: --gitlab-timeout must be from 0.1 to 600 seconds\n");
    return 2;
  }
  if (flags.worker_lease_seconds != 0 &&
      (flags.worker_lease_seconds < 2 || flags.worker_lease_seconds > 3600)) {
    fmt::print(stderr, "worklog serve: --worker-lease must be from 2 to 3600 seconds\n");
    return 2;
  }
  if (flags.worker_nice < 0 || flags.worker_nice > 19) {
    fmt::print(stderr, "worklog serve: --worker-nice must be from 0 to 19\n");
    return 2;
  }
  if (flags.inbox_workers < 1 || flags.inbox_workers > 64) {
    fmt::print(stderr, "worklog serve: --inbox-workers must be from 1 to 64\n");
    return 2;
  }
  if (flags.inbox_retention_days < 0 || flags.inbox_retention_days > 3650) {
    fmt::print(stderr, "worklog serve: --inbox-retention-days must be from 0 to 3650\n");
    return 2;
  }
  if (flags.feed_cache_mib < 0 || flags.feed_cache_mib > 4096) {
    fmt::print(stderr, "worklog serve: --feed-cache-mib must be between 0 and 4096\n");
    return 2;
  }
  app::GitlabAppOptions gitlab_options;
  gitlab_options.request_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.gitlab_timeout_seconds * 1000));
  if (flags.worker_lease_seconds > 0) {
    gitlab_options.sync.job_lease = std::chrono::seconds(flags.worker_lease_seconds);
    gitlab_options.sync.inbox_lease = std::chrono::seconds(flags.worker_lease_seconds);
  }
  gitlab_options.sync.worker_nice = flags.worker_nice;
  gitlab_options.sync.inbox_workers = flags.inbox_workers;
  gitlab_options.sync.inbox_retention = std::chrono::hours(24 * flags.inbox_retention_days);
  gitlab_options.enabled = flags.gitlab_integration == "on";
  gitlab_options.sync.poll_interval = std::chrono::seconds(flags.poll_interval_seconds);
  gitlab_options.sync.backfill = std::chrono::hours(24 * flags.backfill_days);

  // Before the store opens: `worklog restore` refuses a database a server holds.
  auto serving = store::ServingLock::Acquire(flags.db_url, store::ServingLock::Mode::kServe);
  if (!serving) {
    fmt::print(stderr, "worklog serve: {}\n", serving.error().message);
    return 1;
  }
  SystemClock clock;
  auto app = app::App::Open(
      flags.db_url, clock,
      app::AppOptions{.public_url = flags.public_url,
                      .data_dir = flags.data_dir,
                      .accounts = {},
                      .gitlab = gitlab_options,
                      .automation = {.smart_commits = flags.smart_commits == "on"},
                      .feed_cache_bytes = static_cast<std::size_t>(flags.feed_cache_mib) << 20});
  if (!app) {
    fmt::print(stderr, "worklog serve: {}\n", app.error().message);
    return app.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  auto admin = (*app)->accounts().EnsureAdministrator(flags.data_dir);
  if (!admin) {
    fmt::print(stderr, "worklog serve: cannot create the first administrator: {}\n",
               admin.error().message);
    return 1;
  }

  http::Server server(**app, http::ServerOptions{.web_dir = flags.web_dir,
                                                 .threads = flags.threads,
                                                 .max_body = http::kServerMaxBody,
                                                 .trusted_proxies = *trusted_proxies,
                                                 .access_log = access_log});
  auto port = server.Bind(listen->host, listen->port);
  if (!port) {
    fmt::print(stderr, "worklog serve: {}\n", port.error().message);
    return 1;
  }
  const std::string host =
      listen->host.find(':') != std::string::npos ? "[" + listen->host + "]" : listen->host;
  if (default_public_url) {
    flags.public_url = fmt::format("http://{}:{}", host, *port);
    (*app)->SetPublicUrl(flags.public_url);
  }
  if (*admin) {
    Say(
        fmt::format("worklog: created the administrator {}; its password is in {} "
                    "(readable only by you). Sign in at {}",
                    (*admin)->email, (*admin)->password_file, flags.public_url));
  }
  spdlog::info("serving database={} public_url={} web_dir={}", (*app)->store().Backend(),
               flags.public_url, flags.web_dir.empty() ? "(none)" : flags.web_dir);

  std::jthread signal_thread([&server](const std::stop_token& stop) {
    const timespec tick{.tv_sec = 0, .tv_nsec = 200'000'000};
    while (!stop.stop_requested()) {
      sigset_t wanted;
      sigemptyset(&wanted);
      sigaddset(&wanted, SIGINT);
      sigaddset(&wanted, SIGTERM);
      const int signal = sigtimedwait(&wanted, nullptr, &tick);
      if (signal == SIGINT || signal == SIGTERM) {
        spdlog::info("stopping on signal {}", signal);
        server.Stop();
        return;
      }
    }
  });
  // Memory freed by finished requests goes back to the system when serve is idle, or once
  // it holds more than 96 MiB (common/process_memory.h).
  const FreeMemoryReleaser releaser(ReleasePolicy{});
  // GitLab workers: webhook inbox, backfill and polls, hooks, token refresh.
  (*app)->gitlab().StartWorkers();
  Say(fmt::format("worklog: listening on http://{}:{}", host, *port));
  auto ran = server.Run();
  signal_thread.request_stop();
  (*app)->gitlab().StopWorkers();
  if (!ran) {
    fmt::print(stderr, "worklog serve: {}\n", ran.error().message);
    return 1;
  }
  return 0;
}

void AddServeCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("serve", "serve the API and the UI");
  auto flags = std::make_shared<ServeFlags>();
  command->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0: any free)")
      ->envname("WORKLOG_LISTEN")
      ->capture_default_str();
  AddDbOption(*command, flags->db_url);
  command
      ->add_option("--public-url", flags->public_url,
                   "the URL browsers and GitLab use to reach this server (default http://LISTEN)")
      ->envname("WORKLOG_PUBLIC_URL");
  command->add_option("--data-dir", flags->data_dir, "directory for private files (keys)")
      ->envname("WORKLOG_DATA_DIR")
      ->capture_default_str();
  command
      ->add_option("--web-dir", flags->web_dir,
                   "directory of the built UI (default web/dist when it exists)")
      ->envname("WORKLOG_WEB_DIR");
  command->add_option("--threads", flags->threads, "connection threads")
      ->envname("WORKLOG_THREADS")
      ->capture_default_str();
  command
      ->add_option("--trusted-proxy", flags->trusted_proxies,
                   "address or CIDR range of a reverse proxy whose X-Forwarded-For names the "
                   "client (sign-in limits, logs); repeat for several")
      ->envname("WORKLOG_TRUSTED_PROXIES")
      ->delimiter(',');
  command
      ->add_option("--poll-interval", flags->poll_interval_seconds, "seconds between GitLab polls")
      ->envname("WORKLOG_POLL_INTERVAL")
      ->capture_default_str();
  command
      ->add_option("--gitlab-integration", flags->gitlab_integration,
                   "on | off: off switches the GitLab integration off for this server")
      ->envname("WORKLOG_GITLAB_INTEGRATION")
      ->capture_default_str();
  command
      ->add_option("--smart-commits", flags->smart_commits,
                   "on | off: commit messages with #time or @1h30m log that time")
      ->envname("WORKLOG_SMART_COMMITS")
      ->capture_default_str();
  command
      ->add_option("--backfill-days", flags->backfill_days,
                   "days of GitLab history imported when the organization connects")
      ->envname("WORKLOG_BACKFILL_DAYS")
      ->capture_default_str();
  command
      ->add_option("--gitlab-timeout", flags->gitlab_timeout_seconds,
                   "seconds one request to GitLab may take before it is retried (0: 60)")
      ->envname("WORKLOG_GITLAB_TIMEOUT")
      ->capture_default_str();
  command
      ->add_option("--worker-lease", flags->worker_lease_seconds,
                   "seconds before work held by a node that died is taken over by another "
                   "(0: 300 for jobs, 120 for webhook deliveries)")
      ->envname("WORKLOG_WORKER_LEASE")
      ->capture_default_str();
  command
      ->add_option("--worker-nice", flags->worker_nice,
                   "CPU priority of the GitLab workers below the connection threads (Linux "
                   "nice, 0-19; 0: the same): stored webhook deliveries and polls are then "
                   "worked off in the time requests leave")
      ->envname("WORKLOG_WORKER_NICE")
      ->capture_default_str();
  command
      ->add_option("--inbox-workers", flags->inbox_workers,
                   "threads normalizing stored webhook deliveries")
      ->envname("WORKLOG_INBOX_WORKERS")
      ->capture_default_str();
  command
      ->add_option("--inbox-retention-days", flags->inbox_retention_days,
                   "days a processed webhook delivery is kept, to recognize GitLab resending "
                   "it (0: forever); failed ones are kept for the administrator")
      ->envname("WORKLOG_INBOX_RETENTION_DAYS")
      ->capture_default_str();
  command
      ->add_option("--feed-cache-mib", flags->feed_cache_mib,
                   "MiB of rendered Activity Feed responses kept in memory (0: none)")
      ->envname("WORKLOG_FEED_CACHE_MIB")
      ->capture_default_str();
  command->callback([flags, &exit_code] { exit_code = RunServe(*flags); });
}

const CommandRegistration kRegistration("serve", &AddServeCommand);  // NOLINT(cert-err58-cpp)

}  // namespace
}  // namespace worklog::cli

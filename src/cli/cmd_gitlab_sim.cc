// worklog gitlab-sim --listen HOST:PORT [--seed demo|empty] [--root-token T]
//                    [--oauth-redirect-uri URI] [--external-url URL]
//
// Runs the GitLab simulator (tools/gitlab-sim) until SIGINT or SIGTERM. Once it accepts
// connections it prints, one `key: value` a line, then `ready`:
//   url: http://127.0.0.1:PORT
//   root_token: glpat-...
//   oauth_client_id / oauth_client_secret / oauth_redirect_uri   (--seed demo)
//   sign_in: USER / PASSWORD (role)                               (one line per account)

#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "gitlab-sim/sim.h"

namespace worklog::cli {
namespace {

struct SimFlags {
  std::string listen = "127.0.0.1:8929";
  std::string seed = "empty";
  std::string root_token;
  std::string oauth_redirect_uri = "http://127.0.0.1:8080/apps/gitlab/oauth/callback";
  std::string external_url;
  int hook_timeout_ms = 10000;
};

int RunGitLabSim(const SimFlags& flags) {
  const std::size_t colon = flags.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0) {
    try {
      std::size_t used = 0;
      port = std::stoi(flags.listen.substr(colon + 1), &used);
      if (used != flags.listen.size() - colon - 1) {
        port = -1;
      }
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "gitlab-sim: --listen must be HOST:PORT, like 127.0.0.1:8929\n");
    return 2;
  }
  gitlab_sim::SimOptions options;
  options.host = flags.listen.substr(0, colon);
  options.port = port;
  options.seed = flags.seed == "demo" ? gitlab_sim::Seed::kDemo : gitlab_sim::Seed::kEmpty;
  options.root_token = flags.root_token;
  options.oauth_redirect_uri = flags.oauth_redirect_uri;
  options.external_url = flags.external_url;
  options.hook_timeout = std::chrono::milliseconds{flags.hook_timeout_ms};

  // Block the stop signals in every thread; this one waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  gitlab_sim::GitLabSim sim(options);
  if (auto started = sim.Start(); !started) {
    std::fprintf(stderr, "gitlab-sim: %s\n", started.error().message.c_str());
    return 1;
  }
  std::string out = fmt::format("url: {}\nroot_token: {}\n", sim.url(), sim.root_token());
  out += "sign_in: root / root-password (administrator)\n";
  const gitlab_sim::DemoInfo& demo = sim.demo();
  if (!demo.oauth_application_id.empty()) {
    out += fmt::format("oauth_client_id: {}\noauth_client_secret: {}\noauth_redirect_uri: {}\n",
                       demo.oauth_application_id, demo.oauth_secret, demo.oauth_redirect_uri);
  }
  for (const gitlab_sim::DemoAccount& account : demo.accounts) {
    out += fmt::format("sign_in: {} / {} ({}; {})\n", account.username, account.password,
                       account.email, account.role);
  }
  out += "ready\n";
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  sim.Stop();
  return 0;
}

void AddGitLabSimCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<SimFlags>();
  CLI::App* command =
      app.add_subcommand("gitlab-sim", "run a GitLab simulator (API v4, OAuth, webhooks)");
  command->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("WORKLOG_GITLAB_SIM_LISTEN")
      ->capture_default_str();
  command->add_option("--seed", flags->seed, "initial data: empty (root only) or demo")
      ->check(CLI::IsMember({"empty", "demo"}))
      ->envname("WORKLOG_GITLAB_SIM_SEED")
      ->capture_default_str();
  command
      ->add_option("--root-token", flags->root_token,
                   "the administrator's personal access token (default: random)")
      ->envname("WORKLOG_GITLAB_SIM_ROOT_TOKEN");
  command
      ->add_option("--oauth-redirect-uri", flags->oauth_redirect_uri,
                   "redirect URI of the demo OAuth application")
      ->envname("WORKLOG_GITLAB_SIM_OAUTH_REDIRECT_URI")
      ->capture_default_str();
  command
      ->add_option("--external-url", flags->external_url,
                   "URL the simulator calls itself (default: http://HOST:PORT)")
      ->envname("WORKLOG_GITLAB_SIM_EXTERNAL_URL");
  command
      ->add_option("--hook-timeout-ms", flags->hook_timeout_ms,
                   "webhook delivery timeout per attempt")
      ->capture_default_str();
  command->callback([flags, &exit_code] { exit_code = RunGitLabSim(*flags); });
}

// Registration runs before main(); a failure there (out of memory) cannot be reported anyway.
const CommandRegistration kRegistration(  // NOLINT(cert-err58-cpp)
    "gitlab-sim", &AddGitLabSimCommand);

}  // namespace
}  // namespace worklog::cli

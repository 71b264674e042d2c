#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "common/result.h"
#include "support/temp_dir.h"

namespace worklog::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

// Runs the built `worklog` binary with `args`, `stdin_text` on its standard input, and waits
// for it (at most `deadline`, then it is killed).
CommandResult RunWorklog(const std::vector<std::string>& args, const std::string& stdin_text = "",
                         std::chrono::seconds deadline = std::chrono::seconds(120));

struct ServeConfig {
  std::string db_url;    // "sqlite:/tmp/…/worklog.db" or "postgresql://…"
  std::string data_dir;  // --data-dir
  std::string public_url = "http://127.0.0.1";
  std::vector<std::string> extra_args;                   // more flags for `worklog serve`
  std::vector<std::pair<std::string, std::string>> env;  // added to the environment
};

// `worklog serve` as a child process on 127.0.0.1 and a free port (it binds port 0 and
// prints the port it got). Stopped, or killed, on destruction.
class ServerProcess {
 public:
  explicit ServerProcess(ServeConfig config);
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ServerProcess(ServerProcess&&) = delete;
  ServerProcess& operator=(ServerProcess&&) = delete;
  ~ServerProcess();

  // Starts the server and waits until GET /healthz answers 200, at most `deadline`.
  Status Start(std::chrono::seconds deadline = std::chrono::seconds(60));
  // SIGTERM, and waits for the exit (SIGKILL after `deadline`). Returns the exit code.
  Result<int> Stop(std::chrono::seconds deadline = std::chrono::seconds(30));
  // SIGKILL: no chance to clean up, as in a power cut of the process.
  void Kill();
  // Stop (or nothing, after Kill) and Start on the same database and data directory.
  Status Restart(std::chrono::seconds deadline = std::chrono::seconds(60));

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1"; }
  std::string base_url() const;
  const ServeConfig& config() const { return config_; }

  // Everything the server printed, over all its starts.
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  Status WaitForPort(std::chrono::steady_clock::time_point deadline);
  Status WaitForHealthy(std::chrono::steady_clock::time_point deadline);
  std::string StartOutput(std::string_view suffix) const;

  ServeConfig config_;
  TempDir logs_;
  int starts_ = 0;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace worklog::testing

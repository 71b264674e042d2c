#include "support/server_process.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <sys/wait.h>

extern char** environ;  // NOLINT: POSIX

namespace worklog::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

// The environment of this process with `extra` added (replacing variables of the same name).
std::vector<std::string> Environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::size_t equals = text.find('=');
    if (equals != std::string::npos) {
      variables[text.substr(0, equals)] = text.substr(equals + 1);
    }
  }
  for (const auto& [key, value] : extra) {
    variables[key] = value;
  }
  std::vector<std::string> out;
  out.reserve(variables.size());
  for (const auto& [key, value] : variables) {
    out.push_back(key + "=" + value);
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Starts WORKLOG_BINARY with `args`; standard streams from/to the given files.
Result<pid_t> Spawn(const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& stdin_path, const std::string& stdout_path,
                    const std::string& stderr_path) {
  std::vector<std::string> argv_strings;
  argv_strings.emplace_back(WORKLOG_BINARY);
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = Environment(env);
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<char*> envp = Pointers(env_strings);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, WORKLOG_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Internal(fmt::format("cannot start {}: {}", WORKLOG_BINARY, std::strerror(rc)));
  }
  return pid;
}

// Waits for `pid` to exit until `deadline`; the exit code, or empty when it still runs.
std::optional<int> WaitUntil(pid_t pid, SteadyClock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      return ExitCodeOf(status);
    }
    if (done < 0 && errno != EINTR) {
      return -1;
    }
    if (SteadyClock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

CommandResult RunWorklog(const std::vector<std::string>& args, const std::string& stdin_text,
                         std::chrono::seconds deadline) {
  TempDir dir;
  const std::string in_path = dir.File("stdin");
  {
    std::ofstream in(in_path, std::ios::binary);
    in << stdin_text;
  }
  CommandResult result;
  auto pid = Spawn(args, {}, in_path, dir.File("stdout"), dir.File("stderr"));
  if (!pid) {
    result.err = pid.error().message;
    return result;
  }
  auto code = WaitUntil(*pid, SteadyClock::now() + deadline);
  if (!code) {
    ::kill(*pid, SIGKILL);
    code = WaitUntil(*pid, SteadyClock::time_point::max());
  }
  result.exit_code = *code;
  result.out = ReadFile(dir.File("stdout"));
  result.err = ReadFile(dir.File("stderr"));
  return result;
}

ServerProcess::ServerProcess(ServeConfig config) : config_(std::move(config)) {}

ServerProcess::~ServerProcess() {
  if (running()) {
    (void)Stop(std::chrono::seconds(10));
  }
}

std::string ServerProcess::base_url() const { return fmt::format("http://127.0.0.1:{}", port_); }

std::string ServerProcess::StartOutput(std::string_view suffix) const {
  return logs_.File(fmt::format("serve-{}.{}", starts_, suffix));
}

Status ServerProcess::Start(std::chrono::seconds deadline) {
  if (running()) {
    return Internal("the server is already running");
  }
  ++starts_;
  port_ = 0;
  std::vector<std::string> args = {
      "serve",        "--listen",         "127.0.0.1:0", "--db",          config_.db_url,
      "--public-url", config_.public_url, "--data-dir",  config_.data_dir};
  args.insert(args.end(), config_.extra_args.begin(), config_.extra_args.end());
  auto pid = Spawn(args, config_.env, "/dev/null", StartOutput("out"), StartOutput("err"));
  if (!pid) {
    return tl::unexpected(pid.error());
  }
  pid_ = *pid;
  const auto until = SteadyClock::now() + deadline;
  if (auto ready = WaitForPort(until).and_then([&] { return WaitForHealthy(until); }); !ready) {
    Kill();
    return Internal(fmt::format("{}\n--- server stderr ---\n{}", ready.error().message,
                                ReadFile(StartOutput("err"))));
  }
  return {};
}

Status ServerProcess::WaitForPort(SteadyClock::time_point deadline) {
  constexpr std::string_view kMarker = "worklog: listening on http://";
  for (;;) {
    const std::string out = ReadFile(StartOutput("out"));
    if (const std::size_t at = out.find(kMarker); at != std::string::npos) {
      const std::size_t end = out.find('\n', at);
      if (end != std::string::npos) {
        const std::string line = out.substr(at, end - at);
        port_ = std::stoi(line.substr(line.rfind(':') + 1));
        return {};
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Internal(
          fmt::format("worklog serve exited with {} before listening", ExitCodeOf(status)));
    }
    if (SteadyClock::now() >= deadline) {
      return Internal("worklog serve did not print its port in time");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status ServerProcess::WaitForHealthy(SteadyClock::time_point deadline) {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  for (;;) {
    if (auto response = client.Get("/healthz"); response && response->status == 200) {
      return {};
    }
    if (SteadyClock::now() >= deadline) {
      return Internal("GET /healthz did not answer 200 in time");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Result<int> ServerProcess::Stop(std::chrono::seconds deadline) {
  if (!running()) {
    return Internal("the server is not running");
  }
  ::kill(pid_, SIGTERM);
  auto code = WaitUntil(pid_, SteadyClock::now() + deadline);
  if (!code) {
    ::kill(pid_, SIGKILL);
    WaitUntil(pid_, SteadyClock::time_point::max());
    pid_ = -1;
    return Internal("worklog serve did not stop on SIGTERM in time; killed it");
  }
  pid_ = -1;
  return *code;
}

void ServerProcess::Kill() {
  if (!running()) {
    return;
  }
  ::kill(pid_, SIGKILL);
  WaitUntil(pid_, SteadyClock::time_point::max());
  pid_ = -1;
}

Status ServerProcess::Restart(std::chrono::seconds deadline) {
  if (running()) {
    if (auto stopped = Stop(); !stopped) {
      return tl::unexpected(stopped.error());
    }
  }
  return Start(deadline);
}

std::string ServerProcess::Stdout() const {
  std::string all;
  for (int i = 1; i <= starts_; ++i) {
    all += ReadFile(logs_.File(fmt::format("serve-{}.out", i)));
  }
  return all;
}

std::string ServerProcess::Stderr() const {
  std::string all;
  for (int i = 1; i <= starts_; ++i) {
    all += ReadFile(logs_.File(fmt::format("serve-{}.err", i)));
  }
  return all;
}

}  // namespace worklog::testing

// worklog: the command users run. It holds `estimate` itself and hands every other command
// to worklog-full, the binary beside it, by exec (same process id, arguments, environment and
// file descriptors, so signals, exit codes and `kill -9` reach the real command).
//
// Why two binaries: `estimate` is a short-lived command measured against `git log`, and
// worklog-full loads 51 shared libraries (libcurl, libpq and cpp-httplib bring the TLS,
// Kerberos and LDAP stacks), ~8 ms of the dynamic loader's time before the first commit is
// read. This binary links only what `estimate` needs (libgit2, the feed engine).

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "cli/command_line.h"

namespace {

constexpr const char* kFullBinaryName = "worklog-full";

// The path of worklog-full: beside this binary (its real location, symlinks resolved).
std::filesystem::path FullBinaryPath() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return kFullBinaryName;
  }
  return self.parent_path() / kFullBinaryName;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "estimate") {
    return worklog::cli::RunCommandLine(argc, argv);
  }
  const std::string full = FullBinaryPath().string();
  ::execv(full.c_str(), argv);
  const int error = errno;
  std::cerr << "worklog: cannot start " << full << ": " << std::generic_category().message(error)
            << " (worklog runs every command but estimate through worklog-full, which must be "
               "installed beside it)\n";
  return 127;
}

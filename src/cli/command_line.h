#pragma once

namespace worklog::cli {

// Parses argv against every command registered in this binary (CommandRegistration) and runs
// the chosen one. Returns the process exit code: 0 success, 1 failure, 2 bad input.
int RunCommandLine(int argc, char** argv);

}  // namespace worklog::cli

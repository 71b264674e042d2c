// worklog-full: every command (serve, migrate, user, token, backup, demo, gitlab-sim, estimate,
// ...). Users run it through `worklog` (main.cc), which starts it for everything but `estimate`.

#include "cli/command_line.h"

int main(int argc, char** argv) { return worklog::cli::RunCommandLine(argc, argv); }

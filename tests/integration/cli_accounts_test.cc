// `worklog user add` and `worklog token create`, run as processes on a SQLite database; and
// `worklog` handing its commands to worklog-full.

#include <cstdio>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class CliAccounts : public ::testing::Test {
 protected:
  CommandResult AddUser(const std::string& email, const std::string& password,
                        const std::string& role = "user") {
    return RunWorklog({"user", "add", "--db", db_url_, "--email", email, "--name", "Alice",
                       "--role", role, "--password-stdin"},
                      password + "\n");
  }

  TempDir dir_;
  std::string db_url_ = "sqlite:" + dir_.File("worklog.db");
};

TEST_F(CliAccounts, TokenCreatePrintsOnlyTheTokenEvenOnAFreshDatabase) {
  ASSERT_EQ(AddUser("alice@example.com", "long enough password").exit_code, 0);
  const CommandResult token =
      RunWorklog({"token", "create", "--db", db_url_, "--email", "alice@example.com"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  EXPECT_THAT(token.out, MatchesRegex("wlt_[A-Za-z0-9_-]+\n"));
  // A second token is a different one.
  const CommandResult second =
      RunWorklog({"token", "create", "--db", db_url_, "--email", "alice@example.com"});
  EXPECT_NE(second.out, token.out);
}

TEST_F(CliAccounts, UserAddSaysWhoWasAdded) {
  const CommandResult added = AddUser("Alice@Example.com", "long enough password", "admin");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, HasSubstr("alice@example.com (admin)"));
}

TEST_F(CliAccounts, UserAddRejectsBadInputNamingTheFlagWithExitCode2) {
  const CommandResult bad_email = AddUser("not-an-email", "long enough password");
  EXPECT_EQ(bad_email.exit_code, 2);
  EXPECT_THAT(bad_email.err, HasSubstr("email"));
  const CommandResult short_password = AddUser("alice@example.com", "short");
  EXPECT_EQ(short_password.exit_code, 2);
  EXPECT_THAT(short_password.err, HasSubstr("password"));
  const CommandResult bad_role = AddUser("alice@example.com", "long enough password", "boss");
  EXPECT_EQ(bad_role.exit_code, 2);
  EXPECT_THAT(bad_role.err, HasSubstr("role"));
  EXPECT_TRUE(bad_email.out.empty() && short_password.out.empty() && bad_role.out.empty());
}

TEST_F(CliAccounts, UserAddRefusesAnEmailThatIsTaken) {
  ASSERT_EQ(AddUser("alice@example.com", "long enough password").exit_code, 0);
  const CommandResult again = AddUser("ALICE@example.com", "another password");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("alice@example.com"));
}

TEST_F(CliAccounts, TokenCreateForAnUnknownUserFails) {
  const CommandResult token =
      RunWorklog({"token", "create", "--db", db_url_, "--email", "nobody@example.com"});
  EXPECT_EQ(token.exit_code, 1);
  EXPECT_THAT(token.err, HasSubstr("nobody@example.com"));
  EXPECT_TRUE(token.out.empty());
}

// `worklog` runs `estimate` itself and every other command through worklog-full beside it.
TEST(CliDispatch, EveryCommandIsReachableThroughWorklog) {
  const CommandResult help = RunWorklog({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  for (const char* command : {"serve", "migrate", "user", "token", "backup", "restore", "estimate",
                              "gitlab-sim", "demo"}) {
    EXPECT_THAT(help.out, HasSubstr(command)) << command;
  }
  const CommandResult version = RunWorklog({"--version"});
  EXPECT_EQ(version.out, "worklog 0.1.0\n");
  // Bad input to a handed-over command still exits 2 and names the flag.
  const CommandResult bad = RunWorklog({"user", "add", "--name", "Alice"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--email"));
}

// Copied without worklog-full, `worklog` still estimates and says what is missing otherwise.
TEST(CliDispatch, WithoutWorklogFullBesideItWorklogSaysSoWithExit127) {
  TempDir dir;
  const std::filesystem::path alone = dir.File("worklog");
  std::filesystem::copy_file(WORKLOG_BINARY, alone);
  const auto run = [](const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    char buffer[512];
    while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
      output += buffer;
    }
    const int status = pipe == nullptr ? -1 : ::pclose(pipe);
    return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
  };
  const auto [code, output] = run(alone.string() + " user list");
  EXPECT_EQ(code, 127);
  EXPECT_THAT(output, HasSubstr(dir.File("worklog-full")));
  const auto [estimate_code, estimate_output] =
      run(alone.string() + " estimate --repo " + dir.path().string());
  EXPECT_EQ(estimate_code, 2);
  EXPECT_THAT(estimate_output, HasSubstr("not a git repository"));
}

}  // namespace
}  // namespace worklog::testing

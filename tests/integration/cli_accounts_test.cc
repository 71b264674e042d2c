// `worklog user add` and `worklog token create`, run as processes on a SQLite database.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace worklog::testing

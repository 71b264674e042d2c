// Issue #7 item 6: `worklog backup` and `worklog restore`. A round trip on a running server:
// users and worklogs made over the API, a backup while the server keeps writing, a restore
// into a new path, a second server on the restored database reads them back. Plus the
// refusals: an existing database without --force, a file that is not a worklog database,
// PostgreSQL URLs (pg_dump / pg_restore).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>

#include "deployment.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(SecurityBackup, RoundTripWhileServingThenServeTheRestoredCopy) {
  WORKLOG_START_DEPLOYMENT(deployment, Backend::kSqlite);
  deployment->AddUser("ada@example.com", "admin");
  deployment->AddUser("bob@example.com");
  ApiClient ada = deployment->Client();
  ASSERT_EQ(ada.SignIn("ada@example.com", kPassword).status, 200);
  // A user made over the API, and worklogs of two people.
  const Reply staff = ada.Post("/api/v1/staff", json{{"email", "carol@example.com"},
                                                     {"name", "Carol"},
                                                     {"role", "user"},
                                                     {"timezone", "Europe/Oslo"}});
  ASSERT_EQ(staff.status, 201) << staff.body;
  std::vector<int64_t> ada_worklogs;
  for (int i = 1; i <= 5; ++i) {
    const Reply created =
        ada.Post("/api/v1/worklogs", Worklog("PROJ-" + std::to_string(i), 600 * i, "ada work"));
    ASSERT_EQ(created.status, 201) << created.body;
    ada_worklogs.push_back(created.json["id"].get<int64_t>());
  }
  ApiClient bob = deployment->Client();
  bob.UseBearer(deployment->CreateToken("bob@example.com"));
  ASSERT_EQ(bob.Post("/api/v1/worklogs", Worklog("OPS-9", 1800, "bob work")).status, 201);

  // Keep writing while the backup runs: the copy is consistent whatever it catches.
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread writer([&] {
    ApiClient client = deployment->Client();
    client.UseBearer(deployment->CreateToken("bob@example.com"));
    while (writing) {
      if (client.Post("/api/v1/worklogs", Worklog("LOAD-1", 60, "during backup")).status == 201) {
        ++written;
      }
    }
  });
  for (int i = 0; i < 2000 && written.load() == 0; ++i) {  // the writer is under way
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  TempDir backups;
  const std::string backup_file = backups.File("worklog-backup.db");
  const CommandResult backup =
      RunWorklog({"backup", "--db", deployment->db_url(), "--to", backup_file});
  writing = false;
  writer.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("backed up to"));
  EXPECT_THAT(backup.out, HasSubstr("4 users"));  // with the first-start administrator
  struct stat info {};
  ASSERT_EQ(::stat(backup_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the backup holds password hashes";
  EXPECT_FALSE(std::filesystem::exists(backup_file + ".partial"));
  // The server kept serving during and after the backup.
  EXPECT_EQ(ada.Get("/healthz").status, 200);
  EXPECT_GT(written.load(), 0);

  // Restore into a new path and serve it (same key: the data directory is shared).
  TempDir restored_dir;
  const std::string restored_url = "sqlite:" + restored_dir.File("restored/worklog.db");
  const CommandResult restore =
      RunWorklog({"restore", "--from", backup_file, "--db", restored_url});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_THAT(restore.out, HasSubstr("restored"));
  ServerProcess restored(ServeConfig{.db_url = restored_url,
                                     .data_dir = deployment->data_dir(),
                                     .public_url = "http://127.0.0.1",
                                     .extra_args = {},
                                     .env = {}});
  auto started = restored.Start();
  ASSERT_TRUE(started) << started.error().message << restored.Stderr();
  ApiClient ada_again(restored.port());
  ASSERT_EQ(ada_again.SignIn("ada@example.com", kPassword).status, 200)
      << "passwords survive the round trip";
  const Reply list = ada_again.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24");
  ASSERT_EQ(list.status, 200) << list.body;
  std::vector<int64_t> ids;
  for (const auto& worklog : list.json["worklogs"]) {
    ids.push_back(worklog["id"].get<int64_t>());
    EXPECT_EQ(worklog["description"], "ada work");
  }
  EXPECT_EQ(ids, ada_worklogs);
  const Reply staff_list = ada_again.Get("/api/v1/staff");
  ASSERT_EQ(staff_list.status, 200);
  bool carol = false;
  for (const auto& member : staff_list.json) {
    carol = carol || member["email"] == "carol@example.com";
  }
  EXPECT_TRUE(carol) << staff_list.body;
  // Bob's worklog (and those written before the copy) are there too.
  ApiClient bob_again(restored.port());
  ASSERT_EQ(bob_again.SignIn("bob@example.com", kPassword).status, 200);
  const Reply bob_list = bob_again.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24");
  ASSERT_EQ(bob_list.status, 200);
  ASSERT_GE(bob_list.json["worklogs"].size(), 1u);
  EXPECT_EQ(bob_list.json["worklogs"][0]["issue_key"], "OPS-9");
  // The restored database is its own: a write there does not reach the original.
  ASSERT_EQ(ada_again.Post("/api/v1/worklogs", Worklog("NEW-1", 60)).status, 201);
  const Reply original = ada.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24");
  EXPECT_EQ(original.json["worklogs"].size(), ada_worklogs.size());
}

TEST(SecurityBackup, RestoreRefusesAnExistingDatabaseUnlessForced) {
  TempDir dir;
  const std::string source = "sqlite:" + dir.File("a.db");
  const std::string target = "sqlite:" + dir.File("b.db");
  for (const auto& [url, email] :
       {std::pair{source, "one@example.com"}, std::pair{target, "two@example.com"}}) {
    const CommandResult added = RunWorklog(
        {"user", "add", "--db", url, "--email", email, "--name", "X", "--password-stdin"},
        std::string(kPassword) + "\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  ASSERT_EQ(RunWorklog({"backup", "--db", source, "--to", dir.File("a.backup")}).exit_code, 0);

  const CommandResult refused =
      RunWorklog({"restore", "--from", dir.File("a.backup"), "--db", target});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  EXPECT_TRUE(refused.out.empty());
  // Still the old database.
  EXPECT_EQ(RunWorklog({"token", "create", "--db", target, "--email", "two@example.com"}).exit_code,
            0);

  const CommandResult forced =
      RunWorklog({"restore", "--from", dir.File("a.backup"), "--db", target, "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(RunWorklog({"token", "create", "--db", target, "--email", "one@example.com"}).exit_code,
            0);
  EXPECT_NE(RunWorklog({"token", "create", "--db", target, "--email", "two@example.com"}).exit_code,
            0);
}

// A forced restore under a running server would be undone or corrupted by the server's own
// cached pages: restore refuses while any `worklog serve` has the database open, and a server
// does not start while a restore holds it. Both ways, nothing already stored is touched.
TEST(SecurityBackup, RestoreAndServeNeverShareADatabase) {
  WORKLOG_START_DEPLOYMENT(deployment, Backend::kSqlite);
  deployment->AddUser("ada@example.com", "admin");
  ApiClient ada = deployment->Client();
  ada.UseBearer(deployment->CreateToken("ada@example.com"));
  ASSERT_EQ(ada.Post("/api/v1/worklogs", Worklog("KEEP-1", 600)).status, 201);
  const std::string other = "sqlite:" + deployment->dir().File("other.db");
  AddUserTo(other, "zed@example.com", "Zed", "user", "UTC");
  const std::string backup = deployment->dir().File("other.backup");
  ASSERT_EQ(RunWorklog({"backup", "--db", other, "--to", backup}).exit_code, 0);

  const CommandResult refused =
      RunWorklog({"restore", "--from", backup, "--db", deployment->db_url(), "--force"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("a worklog serve is running on"));
  const Reply kept = ada.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24");
  ASSERT_EQ(kept.status, 200) << kept.body;
  ASSERT_EQ(kept.json["worklogs"].size(), 1u);
  EXPECT_EQ(kept.json["worklogs"][0]["issue_key"], "KEEP-1");

  ASSERT_TRUE(deployment->server().Stop().has_value());
  // A restore in progress: its lock, held here, keeps a server from starting.
  const std::string db_file = deployment->db_url().substr(std::string_view("sqlite:").size());
  const int fd = ::open((db_file + ".lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_FALSE(deployment->server().Start().has_value());
  EXPECT_THAT(deployment->server().Stderr(), HasSubstr("is being restored"));
  ::close(fd);

  // Nobody on it: the forced restore goes through, and a server starts on the result.
  const CommandResult forced =
      RunWorklog({"restore", "--from", backup, "--db", deployment->db_url(), "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(
      RunWorklog({"token", "create", "--db", deployment->db_url(), "--email", "zed@example.com"})
          .exit_code,
      0);
  ASSERT_TRUE(deployment->server().Start().has_value());
}

TEST(SecurityBackup, RestoreRefusesFilesThatAreNotWorklogDatabases) {
  TempDir dir;
  std::ofstream(dir.File("notes.txt")) << "these are not the pages you are looking for\n";
  const CommandResult text = RunWorklog(
      {"restore", "--from", dir.File("notes.txt"), "--db", "sqlite:" + dir.File("x.db")});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_THAT(text.err, HasSubstr("--from"));
  EXPECT_THAT(text.err, HasSubstr("not an SQLite database"));

  // No file at all.
  const CommandResult missing =
      RunWorklog({"restore", "--from", dir.File("nope.db"), "--db", "sqlite:" + dir.File("x.db")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no backup file"));

  const CommandResult backup_missing =
      RunWorklog({"backup", "--db", "sqlite:" + dir.File("absent.db"), "--to", dir.File("b")});
  EXPECT_NE(backup_missing.exit_code, 0);
  EXPECT_THAT(backup_missing.err, HasSubstr("no database"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("absent.db")));
}

TEST(SecurityBackup, PostgresUrlsPointToPgDumpAndPgRestore) {
  TempDir dir;
  const CommandResult backup =
      RunWorklog({"backup", "--db", "postgresql://worklog@127.0.0.1:1/worklog", "--to",
                  dir.File("pg.backup")});
  EXPECT_EQ(backup.exit_code, 2);
  EXPECT_THAT(backup.err, HasSubstr("pg_dump"));
  const CommandResult restore = RunWorklog({"restore", "--from", dir.File("pg.backup"), "--db",
                                            "postgresql://worklog@127.0.0.1:1/worklog"});
  EXPECT_EQ(restore.exit_code, 2);
  EXPECT_THAT(restore.err, HasSubstr("pg_restore"));
}

}  // namespace
}  // namespace worklog::testing

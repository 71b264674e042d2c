// OpenStore's URL rules (no database server needed).
#include <gtest/gtest.h>

#include "common/clock.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace worklog::store {
namespace {

TEST(OpenStore, AcceptsBothSqliteSpellings) {
  worklog::testing::TempDir dir;
  SystemClock clock;
  for (const std::string& url : {"sqlite:" + dir.File("a.db"), "sqlite://" + dir.File("b.db")}) {
    auto opened = OpenStore(url, clock);
    ASSERT_TRUE(opened) << url << ": " << opened.error().message;
    EXPECT_EQ((*opened)->Backend(), "sqlite");
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "b.db"));
}

TEST(OpenStore, CreatesTheDatabaseDirectory) {
  worklog::testing::TempDir dir;
  SystemClock clock;
  auto opened = OpenStore("sqlite:" + dir.File("data/nested/worklog.db"), clock);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data/nested/worklog.db"));
}

TEST(OpenStore, RejectsOtherSchemesWithoutEchoingTheUrl) {
  SystemClock clock;
  auto opened = OpenStore("mysql://root:hunter2@db/worklog", clock);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(opened.error().field, "db");
  EXPECT_NE(opened.error().message.find("mysql"), std::string::npos);
  EXPECT_NE(opened.error().message.find("sqlite:PATH"), std::string::npos);
  EXPECT_EQ(opened.error().message.find("hunter2"), std::string::npos);
}

TEST(OpenStore, RejectsEmptyAndSchemelessUrls) {
  SystemClock clock;
  for (const char* url : {"", "sqlite:", "sqlite://", "./worklog.db"}) {
    auto opened = OpenStore(url, clock);
    ASSERT_FALSE(opened) << url;
    EXPECT_EQ(opened.error().field, "db") << url;
  }
}

TEST(OpenStore, UnreachablePostgresIsUnavailable) {
  SystemClock clock;
  // Port 1 on loopback: nothing listens there.
  auto opened = OpenStore("postgresql://nobody@127.0.0.1:1/worklog?connect_timeout=5", clock);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace worklog::store

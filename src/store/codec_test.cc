#include "store/codec.h"

#include <gtest/gtest.h>

#include "store/migrations.h"

namespace worklog::store {
namespace {

TEST(StringArray, RoundTripsAwkwardText) {
  const std::vector<std::string> values = {
      "",          "commit:1:abc",        "quote\" back\\slash", "tab\tnewline\n",
      "ünïcödé 😀", std::string("\x01", 1)};
  EXPECT_EQ(DecodeStringArray(EncodeStringArray(values)).value(), values);
  EXPECT_EQ(EncodeStringArray({}), "[]");
}

TEST(StringArray, DecodesWhatPostgresJsonbPrints) {
  // jsonb's text output adds spaces and may escape with \u.
  EXPECT_EQ(DecodeStringArray(R"([ "a" , "b\u00e9\ud83d\ude00" ])").value(),
            (std::vector<std::string>{"a", "bé😀"}));
}

TEST(StringArray, RejectsMalformedText) {
  for (const char* bad : {"", "[", "[\"a\"", "[\"a\",]", "{\"a\":1}", "[1]", "[\"a\"] x"}) {
    EXPECT_FALSE(DecodeStringArray(bad)) << bad;
  }
}

TEST(MigrationVersion, ReadsTheLeadingNumber) {
  EXPECT_EQ(MigrationVersion("0001_accounts.sql").value(), 1);
  EXPECT_EQ(MigrationVersion("0042_add_cursor.sql").value(), 42);
  EXPECT_FALSE(MigrationVersion("accounts.sql"));
  EXPECT_FALSE(MigrationVersion("0000_zero.sql"));
  EXPECT_FALSE(MigrationVersion("0001accounts.sql"));
}

TEST(Migrations, BothBackendsShipTheSameNumberedVersionsInOrder) {
  const auto sqlite = SqliteMigrations();
  const auto postgres = PostgresMigrations();
  ASSERT_EQ(sqlite.size(), postgres.size());
  int64_t previous = 0;
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    const int64_t version = MigrationVersion(sqlite[i].name).value();
    EXPECT_EQ(version, MigrationVersion(postgres[i].name).value()) << sqlite[i].name;
    EXPECT_EQ(sqlite[i].name, postgres[i].name);
    EXPECT_GT(version, previous) << sqlite[i].name;
    previous = version;
  }
}

}  // namespace
}  // namespace worklog::store

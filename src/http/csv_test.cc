#include "http/csv.h"

#include <gtest/gtest.h>

namespace worklog::http {
namespace {

TEST(Csv, PlainFieldsAreNotQuoted) {
  EXPECT_EQ(CsvRow({"alice@example.com", "2026-11-24", "PROJ-7"}),
            "alice@example.com,2026-11-24,PROJ-7\r\n");
}

TEST(Csv, CommaQuoteAndLineBreaksAreQuotedWithQuotesDoubled) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
}

TEST(Csv, EmptyFieldStaysEmpty) { EXPECT_EQ(CsvRow({"", "x", ""}), ",x,\r\n"); }

TEST(Csv, FormulaLikeTextIsDefused) {
  EXPECT_EQ(CsvText("=HYPERLINK(\"http://evil\")"), "'=HYPERLINK(\"http://evil\")");
  EXPECT_EQ(CsvText("+1"), "'+1");
  EXPECT_EQ(CsvText("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvText("fixed login"), "fixed login");
  EXPECT_EQ(CsvText(""), "");
}

}  // namespace
}  // namespace worklog::http

#include "domain/issue_keys.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace worklog::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FindIssueKeys, FindsKeysInOrderOfFirstAppearanceWithoutDuplicates) {
  EXPECT_THAT(FindIssueKeys("PROJ-7 and OPS-12, then PROJ-7 again and AB_2-3"),
              ElementsAre("PROJ-7", "OPS-12", "AB_2-3"));
}

TEST(FindIssueKeys, FindsKeysInBranchNames) {
  EXPECT_THAT(FindIssueKeys("feature/PROJ-7-fix-login"), ElementsAre("PROJ-7"));
  EXPECT_THAT(FindIssueKeys("feature-PROJ-8"), ElementsAre("PROJ-8"));
  EXPECT_THAT(FindIssueKeys("PROJ-9_login"), IsEmpty());  // "_" continues the word
}

TEST(FindIssueKeys, FindsKeysSurroundedByPunctuationAndInJiraUrls) {
  EXPECT_THAT(FindIssueKeys("[PROJ-1] (OPS-2): \"WEB-3\"."),
              ElementsAre("PROJ-1", "OPS-2", "WEB-3"));
  EXPECT_THAT(FindIssueKeys("see https://jira.example.com/browse/PROJ-77?focus=1"),
              ElementsAre("PROJ-77"));
}

TEST(FindIssueKeys, IgnoresLowerAndMixedCase) {
  EXPECT_THAT(FindIssueKeys("proj-7 Proj-8 pRoj-9 release-2 x86-64"), IsEmpty());
}

TEST(FindIssueKeys, IgnoresKeysGluedToWords) {
  EXPECT_THAT(FindIssueKeys("xPROJ-7 PROJ-7x PROJ-7-2 ABC-PROJ-7 9PROJ-7"), IsEmpty());
}

TEST(FindIssueKeys, IgnoresNamesOfStandards) {
  EXPECT_THAT(FindIssueKeys("UTF-8, ISO-8601, ISO-8859-1, SHA-256, CVE-2024-1234, GPL-3"),
              IsEmpty());
}

TEST(FindIssueKeys, NeedsTwoCharacterProjectAndADigit) {
  EXPECT_THAT(FindIssueKeys("A-1 PROJ- PROJ-x -12"), IsEmpty());
}

TEST(FindIssueKeys, FindsKeysInUtf8Text) {
  EXPECT_THAT(FindIssueKeys("Behob Fehler in PROJ-7 für Käse"), ElementsAre("PROJ-7"));
  EXPECT_THAT(FindIssueKeys("ÄPROJ-7"), IsEmpty());  // glued to a letter
}

TEST(FindIssueKeys, IgnoresKeysLongerThanAWorklogAccepts) {
  const std::string key = "P" + std::string(260, 'A') + "-1";
  EXPECT_THAT(FindIssueKeys(key + " OK-1"), ElementsAre("OK-1"));
}

TEST(FindIssueKeys, HandlesLongHostileInputInOnePass) {
  std::string text(200000, 'A');
  text += "-1 PROJ-7";  // the first run is one 200,001-letter "key": too long
  EXPECT_THAT(FindIssueKeys(text), ElementsAre("PROJ-7"));
  EXPECT_THAT(FindIssueKeys(""), IsEmpty());
}

TEST(FindGitlabIssueRefs, FindsSameProjectIssuesInOrderWithoutDuplicates) {
  EXPECT_THAT(FindGitlabIssueRefs("Fix login #123, closes #7 and #123"), ElementsAre(123, 7));
  EXPECT_THAT(FindGitlabIssueRefs("(#5)"), ElementsAre(5));
}

TEST(FindGitlabIssueRefs, SkipsOtherProjectsEntitiesAndNonNumbers) {
  EXPECT_THAT(FindGitlabIssueRefs("group/project#12 project#13 &#123; #12abc #0 #time ##4"),
              IsEmpty());
}

TEST(FindGitlabMergeRequestRefs, FindsMergeRequestsNotIssues) {
  EXPECT_THAT(FindGitlabMergeRequestRefs("See !45 and #46, !45 again, group/p!47"),
              ElementsAre(45));
  EXPECT_THAT(FindGitlabMergeRequestRefs("Wow!45"), IsEmpty());
}

TEST(MentionsGitlabIssue, AcceptsThisAndOtherProjectsIssues) {
  EXPECT_TRUE(MentionsGitlabIssue("Fix #1"));
  EXPECT_TRUE(MentionsGitlabIssue("Fix group/project#12"));
  EXPECT_FALSE(MentionsGitlabIssue("Fix !12 and &#34;"));
}

}  // namespace
}  // namespace worklog::domain

#include "store/activity_layout.h"

#include <gtest/gtest.h>

#include "domain/activity_key.h"

namespace worklog::store {
namespace {

constexpr std::string_view kSha = "0123456789abcdef0123456789abcdef01234567";

TEST(ActivityLayout, OnlyTheCommitKeyFormIsDerivable) {
  const auto parts = ParseDerivableCommitKey(domain::CommitKey(42, kSha));
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->project_id, 42);
  EXPECT_EQ(parts->sha_hex, kSha);
  EXPECT_FALSE(ParseDerivableCommitKey(std::string("commit:042:") + std::string(kSha)));
  EXPECT_FALSE(ParseDerivableCommitKey(std::string("commit:+42:") + std::string(kSha)));
  EXPECT_FALSE(ParseDerivableCommitKey("commit:42:abc123"));
  EXPECT_FALSE(ParseDerivableCommitKey("commit:42:0123456789ABCDEF0123456789abcdef01234567"));
  EXPECT_FALSE(ParseDerivableCommitKey(std::string("push:42:") + std::string(kSha)));
  EXPECT_FALSE(ParseDerivableCommitKey("commit:"));
}

TEST(ActivityLayout, DerivableFieldsAreLeftOut) {
  domain::Activity commit;
  commit.key = domain::CommitKey(42, kSha);
  commit.project_id = 42;
  commit.project_path = "group/project";
  commit.sha = std::string(kSha);
  commit.url = "https://gitlab.example.com/group/project/-/commit/" + commit.sha;
  commit.title = "Fix login";
  commit.body = "Fix login\n\nDetails\n";
  const StoredActivity stored = ToStored(commit);
  EXPECT_EQ(stored.key, std::nullopt);
  EXPECT_EQ(stored.full_key, commit.key);
  EXPECT_EQ(stored.sha_hex, commit.sha);
  EXPECT_EQ(stored.url_prefix, "https://gitlab.example.com/group/project/-/");
  EXPECT_EQ(stored.url, std::nullopt);
  EXPECT_EQ(stored.body, std::nullopt);
  EXPECT_EQ(stored.body_tail, "\n\nDetails\n");
  EXPECT_EQ(stored.commit_key_of_other, std::nullopt);
  EXPECT_EQ(HexToBytes(kSha).size(), 20U);
  EXPECT_EQ(HexToBytes("00ff"), std::string("\x00\xff", 2));
}

TEST(ActivityLayout, WhatIsNotDerivableIsKept) {
  domain::Activity issue;
  issue.key = domain::CommitKey(7, kSha);  // another row's commit key, given explicitly
  issue.project_id = 42;
  issue.project_path = "group/project";
  issue.url = "https://elsewhere.example.com/x";
  issue.title = "Title";
  issue.body = "Other";
  const StoredActivity stored = ToStored(issue);
  EXPECT_EQ(stored.key, issue.key);
  EXPECT_EQ(stored.sha_hex, std::nullopt);
  EXPECT_EQ(stored.url_prefix, std::nullopt);
  EXPECT_EQ(stored.url, issue.url);
  EXPECT_EQ(stored.body, "Other");
  ASSERT_TRUE(stored.commit_key_of_other);
  EXPECT_EQ(stored.commit_key_of_other->project_id, 7);
}

}  // namespace
}  // namespace worklog::store

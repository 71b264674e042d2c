#include "domain/activity_key.h"

#include <chrono>

#include <gtest/gtest.h>

namespace worklog::domain {
namespace {

using std::chrono::seconds;

TimePoint At(int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }

TEST(ActivityKey, CommitKeyIgnoresShaCase) {
  EXPECT_EQ(CommitKey(15, "DA1560886d4f"), "commit:15:da1560886d4f");
  EXPECT_EQ(CommitKey(15, "DA1560886d4f"), CommitKey(15, "da1560886D4F"));
}

TEST(ActivityKey, SameCommitInAnotherProjectIsAnotherActivity) {
  EXPECT_NE(CommitKey(15, "abc"), CommitKey(16, "abc"));
}

TEST(ActivityKey, PushAndNoteKeys) {
  EXPECT_EQ(PushKey(3, "feature/PROJ-7", "ABCDEF"), "push:3:feature/PROJ-7:abcdef");
  EXPECT_EQ(NoteKey(1243), "note:1243");
}

TEST(ActivityKey, OpenAndMergeHappenOnceSoTheirKeysCarryNoTime) {
  EXPECT_EQ(TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "merged", 42, At(1700000000)),
            "mr:1:7:merged");
  // The webhook's updated_at and the Events API's created_at differ; the key does not.
  EXPECT_EQ(TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "merged", 42, At(1700000000)),
            TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "merged", 42, At(1700000003)));
  EXPECT_EQ(TargetActionKey(ActionTarget::kIssue, 1, 7, "opened", std::nullopt, At(5)),
            "issue:1:7:opened");
}

TEST(ActivityKey, ApprovalSeenTwiceSecondsApartConverges) {
  const auto webhook =
      TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "approved", 42, At(1700000101));
  const auto poll =
      TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "approved", 42, At(1700000104));
  EXPECT_EQ(webhook, poll);
  EXPECT_EQ(webhook, "mr:1:7:approved:42:1699999800");
}

TEST(ActivityKey, TwoReviewersApprovingAtOnceAreTwoActivities) {
  EXPECT_NE(TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "approved", 42, At(1700000101)),
            TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "approved", 43, At(1700000101)));
}

TEST(ActivityKey, ClosingAgainAnHourLaterIsAnotherActivity) {
  EXPECT_NE(TargetActionKey(ActionTarget::kIssue, 1, 7, "closed", 42, At(1700000000)),
            TargetActionKey(ActionTarget::kIssue, 1, 7, "closed", 42, At(1700003600)));
}

TEST(ActivityKey, UpdatesOnlyWebhooksReportKeepTheExactSecond) {
  EXPECT_EQ(TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "updated", 42, At(1700000123)),
            "mr:1:7:updated:42:1700000123");
  EXPECT_NE(TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "updated", 42, At(1700000123)),
            TargetActionKey(ActionTarget::kMergeRequest, 1, 7, "updated", 42, At(1700000124)));
  EXPECT_EQ(TargetActionKey(ActionTarget::kIssue, 2, 9, "reopened", std::nullopt, At(10)),
            "issue:2:9:reopened:-:10");
}

TEST(ActivityKey, BucketsBefore1970FloorDownwards) {
  EXPECT_EQ(TargetActionKey(ActionTarget::kIssue, 1, 1, "closed", 1, At(-1)),
            "issue:1:1:closed:1:-600");
}

}  // namespace
}  // namespace worklog::domain

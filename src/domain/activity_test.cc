#include "domain/activity.h"

#include <gtest/gtest.h>

namespace worklog::domain {
namespace {

TEST(ActivityKind, NamesRoundTrip) {
  for (const auto kind : {ActivityKind::kCommit, ActivityKind::kMergeRequest, ActivityKind::kReview,
                          ActivityKind::kIssue, ActivityKind::kComment, ActivityKind::kPush}) {
    const auto parsed = ParseKind("kind", KindName(kind));
    ASSERT_TRUE(parsed.has_value()) << KindName(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(KindName(ActivityKind::kMergeRequest), "merge_request");
}

TEST(ActivityKind, UnknownKindNamesTheField) {
  const auto parsed = ParseKind("kind", "Commit");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().field, "kind");
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace worklog::domain

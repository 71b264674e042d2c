// Handled Activity Feed suggestions: the same contract on every back-end.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class SuggestionContract : public StoreTest {
 protected:
  HandledSuggestion Record(int64_t user_id, const std::string& id, const std::string& action,
                           std::optional<int64_t> worklog_id = std::nullopt) {
    HandledSuggestion handled;
    handled.user_id = user_id;
    handled.suggestion_id = id;
    handled.action = action;
    handled.worklog_id = worklog_id;
    handled.handled_at = At(2026, 11, 24, 10, 15);
    return handled;
  }
};
WORKLOG_STORE_BACKENDS(SuggestionContract);

TEST_P(SuggestionContract, MarkedSuggestionReadsBackFieldForField) {
  const auto user = AddUser("ada@example.com");
  auto marked = store().Suggestions().MarkHandled(Record(user.id, "sg_a", "logged", 42));
  ASSERT_TRUE(marked) << marked.error().message;
  auto read = store().Suggestions().GetHandled(user.id, "sg_a");
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->user_id, user.id);
  EXPECT_EQ((*read)->suggestion_id, "sg_a");
  EXPECT_EQ((*read)->action, "logged");
  EXPECT_EQ((*read)->worklog_id, std::optional<int64_t>(42));
  EXPECT_EQ((*read)->handled_at, At(2026, 11, 24, 10, 15));
}

TEST_P(SuggestionContract, SecondMarkKeepsTheFirstRecord) {
  const auto user = AddUser("ada@example.com");
  ASSERT_TRUE(store().Suggestions().MarkHandled(Record(user.id, "sg_a", "logged", 42)));
  auto again = store().Suggestions().MarkHandled(Record(user.id, "sg_a", "dismissed"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->action, "logged");
  EXPECT_EQ(again->worklog_id, std::optional<int64_t>(42));
  // Seen the same way by another process.
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  auto read = other->Suggestions().GetHandled(user.id, "sg_a");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->action, "logged");
}

TEST_P(SuggestionContract, HandledIsPerUser) {
  const auto ada = AddUser("ada@example.com");
  const auto bob = AddUser("bob@example.com");
  ASSERT_TRUE(store().Suggestions().MarkHandled(Record(ada.id, "sg_a", "dismissed")));
  auto bobs = store().Suggestions().GetHandled(bob.id, "sg_a");
  ASSERT_TRUE(bobs) << bobs.error().message;
  EXPECT_FALSE(bobs->has_value());
  auto filtered = store().Suggestions().FilterHandled(bob.id, {"sg_a"});
  ASSERT_TRUE(filtered) << filtered.error().message;
  EXPECT_THAT(*filtered, IsEmpty());
}

TEST_P(SuggestionContract, FilterHandledReturnsOnlyHandledIdsAmongThoseAsked) {
  const auto user = AddUser("ada@example.com");
  ASSERT_TRUE(store().Suggestions().MarkHandled(Record(user.id, "sg_a", "dismissed")));
  ASSERT_TRUE(store().Suggestions().MarkHandled(Record(user.id, "sg_b", "logged", 7)));
  ASSERT_TRUE(store().Suggestions().MarkHandled(Record(user.id, "sg_c", "dismissed")));
  auto filtered = store().Suggestions().FilterHandled(user.id, {"sg_a", "sg_b", "sg_x"});
  ASSERT_TRUE(filtered) << filtered.error().message;
  EXPECT_THAT(*filtered, UnorderedElementsAre("sg_a", "sg_b"));
  auto none = store().Suggestions().FilterHandled(user.id, {});
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(SuggestionContract, UnknownSuggestionIsNotHandled) {
  const auto user = AddUser("ada@example.com");
  auto read = store().Suggestions().GetHandled(user.id, "sg_never");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_FALSE(read->has_value());
}

}  // namespace
}  // namespace worklog::store::testing

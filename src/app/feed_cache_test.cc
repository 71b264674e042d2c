#include "app/feed_cache.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace worklog::app {
namespace {

std::shared_ptr<const std::string> Body(std::size_t size, char fill = 'x') {
  return std::make_shared<const std::string>(size, fill);
}

TEST(FeedCache, ServesABodyOnlyUnderTheStampItWasStoredWith) {
  FeedCache cache(1 << 20);
  cache.Put("ada", "1.1", Body(10, 'a'));
  ASSERT_NE(cache.Find("ada", "1.1"), nullptr);
  EXPECT_EQ(*cache.Find("ada", "1.1"), std::string(10, 'a'));
  EXPECT_EQ(cache.Find("bob", "1.1"), nullptr);
  // Something changed: the old body is gone for good.
  EXPECT_EQ(cache.Find("ada", "1.2"), nullptr);
  EXPECT_EQ(cache.Find("ada", "1.1"), nullptr);
  EXPECT_EQ(cache.entries(), 0U);
}

TEST(FeedCache, DropsTheLeastRecentlyUsedBeyondItsCapacity) {
  FeedCache cache(std::size_t{3} * 1000);
  cache.Put("a", "1", Body(700));
  cache.Put("b", "1", Body(700));
  cache.Put("c", "1", Body(700));
  ASSERT_NE(cache.Find("a", "1"), nullptr);  // "b" is now the oldest
  cache.Put("d", "1", Body(700));
  EXPECT_EQ(cache.Find("b", "1"), nullptr);
  EXPECT_NE(cache.Find("a", "1"), nullptr);
  EXPECT_NE(cache.Find("c", "1"), nullptr);
  EXPECT_NE(cache.Find("d", "1"), nullptr);
  EXPECT_LE(cache.size_bytes(), cache.capacity_bytes());
}

TEST(FeedCache, KeepsNothingTooLargeOrWithCapacityZero) {
  FeedCache cache(1000);
  cache.Put("a", "1", Body(2000));
  EXPECT_EQ(cache.Find("a", "1"), nullptr);
  FeedCache off(0);
  off.Put("a", "1", Body(1));
  EXPECT_EQ(off.Find("a", "1"), nullptr);
  EXPECT_EQ(off.size_bytes(), 0U);
}

TEST(FeedCache, ABodyHandedOutOutlivesItsEviction) {
  FeedCache cache(1000);
  cache.Put("a", "1", Body(500, 'a'));
  auto held = cache.Find("a", "1");
  cache.Put("b", "1", Body(600, 'b'));  // evicts "a"
  EXPECT_EQ(cache.Find("a", "1"), nullptr);
  EXPECT_EQ(*held, std::string(500, 'a'));
}

TEST(FeedCache, TellsTheFirstReReadOfEachStoredBodyOnce) {
  FeedCache cache(1 << 20);
  cache.Put("a", "1", Body(10));
  bool first = true;
  EXPECT_EQ(cache.Find("b", "1", &first), nullptr);
  EXPECT_FALSE(first);
  ASSERT_NE(cache.Find("a", "1", &first), nullptr);
  EXPECT_TRUE(first);
  ASSERT_NE(cache.Find("a", "1", &first), nullptr);
  EXPECT_FALSE(first);
  cache.Put("a", "1", Body(10));  // stored again: its first re-read is new
  ASSERT_NE(cache.Find("a", "1", &first), nullptr);
  EXPECT_TRUE(first);
}

TEST(FeedCache, ReplacesOnlyTheSameBodyUnderTheSameStamp) {
  FeedCache cache(1 << 20);
  auto stored = Body(1000, 'a');
  cache.Put("a", "1", stored);
  const std::size_t before = cache.size_bytes();
  // Another body (stored meanwhile by a newer render) or another stamp: left as it is.
  EXPECT_FALSE(cache.Replace("a", "1", Body(1000, 'a'), Body(10, 'b')));
  EXPECT_FALSE(cache.Replace("a", "2", stored, Body(10, 'b')));
  EXPECT_FALSE(cache.Replace("z", "1", stored, Body(10, 'b')));
  EXPECT_EQ(*cache.Find("a", "1"), std::string(1000, 'a'));

  EXPECT_TRUE(cache.Replace("a", "1", stored, Body(100, 'b')));
  EXPECT_EQ(*cache.Find("a", "1"), std::string(100, 'b'));
  EXPECT_EQ(cache.size_bytes(), before - 900);
  bool first = true;
  cache.Find("a", "1", &first);
  EXPECT_FALSE(first);  // a replaced body is never reported for improving again
}

TEST(FeedCache, AReplacementThatDoesNotFitIsNotTaken) {
  FeedCache cache(1000);
  auto stored = Body(500, 'a');
  cache.Put("a", "1", stored);
  EXPECT_FALSE(cache.Replace("a", "1", stored, Body(2000, 'b')));
  EXPECT_EQ(*cache.Find("a", "1"), std::string(500, 'a'));
  EXPECT_LE(cache.size_bytes(), cache.capacity_bytes());
}

}  // namespace
}  // namespace worklog::app

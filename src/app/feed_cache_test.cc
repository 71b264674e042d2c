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
  FeedCache cache(3 * 1000);
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

}  // namespace
}  // namespace worklog::app

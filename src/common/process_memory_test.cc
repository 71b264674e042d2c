#include "common/process_memory.h"

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

namespace worklog {
namespace {

constexpr int64_t kMiB = int64_t{1024} * 1024;

TEST(ProcessMemoryTest, ReadsCurrentAndPeakResidentMemory) {
  const ResidentMemory memory = ReadResidentMemory();
  EXPECT_GT(memory.current_bytes, 0);
  EXPECT_GE(memory.peak_bytes, memory.current_bytes);
}

TEST(ProcessMemoryTest, ReleasingGivesBackFreeMemoryHeldInTheMiddleOfTheHeap) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator keeps freed blocks in quarantine";
#endif
  // 64 MiB of 16 KiB blocks, each followed by a small block that stays: once the big ones
  // are freed, the heap cannot shrink from its top, and the freed pages stay resident until
  // they are released.
  constexpr std::size_t kBlock = std::size_t{16} * 1024;
  constexpr int kBlocks = 4096;
  std::vector<char*> big;
  std::vector<std::vector<char>> pins;
  big.reserve(kBlocks);
  pins.reserve(kBlocks);
  for (int i = 0; i < kBlocks; ++i) {
    big.push_back(new char[kBlock]);
    std::memset(big.back(), i & 0x7f, kBlock);
    pins.emplace_back(32);
  }
  int64_t checksum = 0;
  for (char* block : big) {
    checksum += block[kBlock - 1];
    delete[] block;
  }
  EXPECT_GT(checksum, 0);
  const int64_t before = ReadResidentMemory().current_bytes;
  ReleaseFreeMemory();
  const int64_t after = ReadResidentMemory().current_bytes;
  EXPECT_GT(before - after, 32 * kMiB) << "before " << before << " after " << after;
}

TEST(ProcessMemoryTest, ReleaserStopsWhenDestroyedWithoutWaitingForItsInterval) {
  // An hour-long interval: this test only ends if destruction wakes the thread.
  { FreeMemoryReleaser releaser(ReleasePolicy{.check_every = std::chrono::hours(1)}); }
  SUCCEED();
}

TEST(ProcessMemoryTest, ReleasesOncePerIdleSpellAndUnderPressureAtMostEveryGap) {
  const ReleasePolicy policy;  // idle under 10% of a core, 96 MiB, 10 s
  const int64_t low = 50 * kMiB;
  const int64_t high = 120 * kMiB;
  const auto long_ago = std::chrono::seconds(60);
  const auto just_now = std::chrono::seconds(2);
  // Busy and small: never (the trim would stall requests for nothing).
  EXPECT_FALSE(ShouldReleaseFreeMemory(policy, 0.9, low, false, long_ago));
  // Idle: once, then not again until the process was busy in between.
  EXPECT_TRUE(ShouldReleaseFreeMemory(policy, 0.02, low, false, just_now));
  EXPECT_FALSE(ShouldReleaseFreeMemory(policy, 0.02, low, true, long_ago));
  // Over the high-water mark: even when busy, but not twice within the gap.
  EXPECT_TRUE(ShouldReleaseFreeMemory(policy, 0.9, high, true, std::chrono::seconds(10)));
  EXPECT_FALSE(ShouldReleaseFreeMemory(policy, 0.9, high, true, just_now));
}

TEST(ProcessMemoryTest, ConfiguringMallocKeepsAllocationsWorking) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces malloc: glibc's mallopt settings do not apply";
#endif
  EXPECT_TRUE(ConfigureMalloc(MallocSettings{}));
  std::vector<char> large(std::size_t{1024} * 1024);
  large[0] = 'x';
  EXPECT_EQ(large[0], 'x');
}

}  // namespace
}  // namespace worklog

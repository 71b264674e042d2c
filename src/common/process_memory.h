#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

namespace worklog {

// How this process uses the C library's allocator (glibc malloc). A server whose connection
// threads each build multi-megabyte responses otherwise keeps, per thread arena, the peak
// of what that arena ever held: with the default 8 arenas per core, most of serve's resident
// memory was free memory nobody returned to the system.
struct MallocSettings {
  // Arenas threads allocate from (glibc's default is 8 per core). Fewer arenas share their
  // free memory among more threads.
  int arenas = 2;
  // Blocks at least this large are mapped on their own and given back to the system when
  // freed (glibc raises its default of 128 KiB to up to 32 MiB as large blocks are freed,
  // after which big response buffers stay in the arenas).
  std::size_t mmap_threshold_bytes = std::size_t{256} * 1024;
};

// Applies `settings`; call before any other thread starts. Returns false if the C library
// refused one of them (the process works the same, only with its defaults).
bool ConfigureMalloc(const MallocSettings& settings);

// Gives the free memory of every arena back to the system (malloc_trim): whole free pages
// in the middle of a heap too, not only its top.
void ReleaseFreeMemory();

// Resident memory of this process now (VmRSS) and at its peak (VmHWM), in bytes; 0 where
// /proc is not readable.
struct ResidentMemory {
  int64_t current_bytes = 0;
  int64_t peak_bytes = 0;
};
ResidentMemory ReadResidentMemory();

// When FreeMemoryReleaser gives memory back. malloc_trim holds each arena's lock while it
// walks it: measured in serve under a feed load, 30 ms typical and up to 430 ms on a
// fragmented ~90 MB heap, a stall for every request that allocates meanwhile. So it runs
// when it is cheap, once the process has been nearly idle for a check interval (once per
// idle spell), or when it is needed, once resident memory passes `high_water_bytes` (at most
// once per `min_gap_under_pressure`).
struct ReleasePolicy {
  std::chrono::milliseconds check_every{1000};
  double idle_cpu_fraction = 0.1;  // of one core, over the last check interval
  int64_t high_water_bytes = int64_t{96} << 20;
  std::chrono::seconds min_gap_under_pressure{10};
};

// The decision FreeMemoryReleaser takes at each check: `cpu_fraction` is the CPU time this
// process used over the last interval divided by the interval; `released_since_busy` is
// whether memory was given back since the process was last busy.
bool ShouldReleaseFreeMemory(const ReleasePolicy& policy, double cpu_fraction,
                             int64_t resident_bytes, bool released_since_busy,
                             std::chrono::steady_clock::duration since_last_release);

// A thread that calls ReleaseFreeMemory as ReleasePolicy says until destroyed, so memory
// freed after a burst of large responses does not stay resident.
class FreeMemoryReleaser {
 public:
  explicit FreeMemoryReleaser(ReleasePolicy policy);
  FreeMemoryReleaser(const FreeMemoryReleaser&) = delete;
  FreeMemoryReleaser& operator=(const FreeMemoryReleaser&) = delete;
  FreeMemoryReleaser(FreeMemoryReleaser&&) = delete;
  FreeMemoryReleaser& operator=(FreeMemoryReleaser&&) = delete;
  ~FreeMemoryReleaser() = default;

 private:
  std::jthread thread_;
};

}  // namespace worklog

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
  std::size_t mmap_threshold_bytes = 256 * 1024;
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

// A thread that calls ReleaseFreeMemory every `interval` until destroyed, so memory freed
// after a burst of large responses does not stay resident.
class FreeMemoryReleaser {
 public:
  explicit FreeMemoryReleaser(std::chrono::milliseconds interval);
  FreeMemoryReleaser(const FreeMemoryReleaser&) = delete;
  FreeMemoryReleaser& operator=(const FreeMemoryReleaser&) = delete;
  ~FreeMemoryReleaser() = default;

 private:
  std::jthread thread_;
};

}  // namespace worklog

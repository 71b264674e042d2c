#include "common/process_memory.h"

#include <malloc.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>

namespace worklog {

bool ConfigureMalloc(const MallocSettings& settings) {
  bool applied = true;
  if (settings.arenas > 0) {
    applied = mallopt(M_ARENA_MAX, settings.arenas) == 1 && applied;
  }
  if (settings.mmap_threshold_bytes > 0) {
    // Setting it fixes it: glibc no longer raises it on its own.
    applied =
        mallopt(M_MMAP_THRESHOLD, static_cast<int>(settings.mmap_threshold_bytes)) == 1 && applied;
  }
  return applied;
}

void ReleaseFreeMemory() { malloc_trim(0); }

ResidentMemory ReadResidentMemory() {
  ResidentMemory memory;
  std::ifstream status("/proc/self/status");
  std::string name;
  int64_t kib = 0;
  while (status >> name) {
    if (name == "VmRSS:" && status >> kib) {
      memory.current_bytes = kib * 1024;
    } else if (name == "VmHWM:" && status >> kib) {
      memory.peak_bytes = kib * 1024;
    }
  }
  return memory;
}

FreeMemoryReleaser::FreeMemoryReleaser(std::chrono::milliseconds interval)
    : thread_([interval](const std::stop_token& stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        while (!stop.stop_requested()) {
          wake.wait_for(lock, stop, interval, [] { return false; });
          if (!stop.stop_requested()) {
            ReleaseFreeMemory();
          }
        }
      }) {}

}  // namespace worklog

#include "common/process_memory.h"

#include <malloc.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>

#include <sys/resource.h>

namespace worklog {

// Called once, before any thread starts (serve's start): mallopt is not thread-safe.
// NOLINTBEGIN(concurrency-mt-unsafe)
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
// NOLINTEND(concurrency-mt-unsafe)

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

bool ShouldReleaseFreeMemory(const ReleasePolicy& policy, double cpu_fraction,
                             int64_t resident_bytes, bool released_since_busy,
                             std::chrono::steady_clock::duration since_last_release) {
  if (resident_bytes > policy.high_water_bytes &&
      since_last_release >= policy.min_gap_under_pressure) {
    return true;
  }
  return cpu_fraction < policy.idle_cpu_fraction && !released_since_busy;
}

namespace {

std::chrono::nanoseconds ProcessCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto to_ns = [](const timeval& time) {
    return std::chrono::seconds(time.tv_sec) + std::chrono::microseconds(time.tv_usec);
  };
  return to_ns(usage.ru_utime) + to_ns(usage.ru_stime);
}

}  // namespace

FreeMemoryReleaser::FreeMemoryReleaser(ReleasePolicy policy)
    : thread_([policy](const std::stop_token& stop) {
        using SteadyClock = std::chrono::steady_clock;
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        auto last_check = SteadyClock::now();
        auto last_cpu = ProcessCpuTime();
        auto last_release = last_check;
        bool released_since_busy = false;
        while (!stop.stop_requested()) {
          wake.wait_for(lock, stop, policy.check_every, [] { return false; });
          if (stop.stop_requested()) {
            break;
          }
          const auto now = SteadyClock::now();
          const auto cpu = ProcessCpuTime();
          const double elapsed = std::chrono::duration<double>(now - last_check).count();
          const double cpu_fraction =
              elapsed > 0 ? std::chrono::duration<double>(cpu - last_cpu).count() / elapsed : 0;
          last_check = now;
          last_cpu = cpu;
          if (cpu_fraction >= policy.idle_cpu_fraction) {
            released_since_busy = false;
          }
          if (ShouldReleaseFreeMemory(policy, cpu_fraction, ReadResidentMemory().current_bytes,
                                      released_since_busy, now - last_release)) {
            ReleaseFreeMemory();
            last_release = SteadyClock::now();
            released_since_busy = true;
            // The trim's own CPU time is not a sign of work.
            last_check = last_release;
            last_cpu = ProcessCpuTime();
          }
        }
      }) {}

}  // namespace worklog

#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace worklog::http {

// Request counts and latency histograms by route, and failures of the database, rendered in
// the Prometheus text format. Thread-safe.
class Metrics {
 public:
  // Upper bounds of the latency buckets, seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // `route` is the route pattern ("/api/v1/worklogs/{id}"), "static" or "unmatched": never a
  // raw path, so the number of series stays bounded.
  void RecordRequest(std::string_view method, std::string_view route, int status,
                     std::chrono::nanoseconds latency);
  // A request that failed because the database did (a 5xx from a store call).
  void RecordDatabaseError() { db_errors_.fetch_add(1, std::memory_order_relaxed); }

  std::string RenderPrometheus() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative on render, not here
    uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // Guarded by mutex_.
  std::map<std::string, Histogram> latency_;                                // Guarded by mutex_.
  std::atomic<uint64_t> db_errors_{0};
};

// Escapes a Prometheus label value (backslash, quote, newline).
std::string PrometheusLabel(std::string_view value);

}  // namespace worklog::http

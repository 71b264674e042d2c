#include "http/metrics.h"

#include <fmt/format.h>

namespace worklog::http {

void Metrics::RecordRequest(std::string_view method, std::string_view route, int status,
                            std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), std::string(method), status}];
  Histogram& histogram = latency_[std::string(route)];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum += seconds;
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  out +=
      "# HELP worklog_http_requests_total HTTP requests answered, by route, method and status.\n"
      "# TYPE worklog_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out +=
        fmt::format("worklog_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                    PrometheusLabel(route), PrometheusLabel(method), status, count);
  }
  out +=
      "# HELP worklog_http_request_duration_seconds Time from request headers to response "
      "written, by route.\n"
      "# TYPE worklog_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_) {
    const std::string label = PrometheusLabel(route);
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += histogram.buckets[i];
      out +=
          fmt::format("worklog_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                      label, kBuckets[i], cumulative);
    }
    out +=
        fmt::format("worklog_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                    label, histogram.count);
    out += fmt::format("worklog_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                       histogram.sum);
    out += fmt::format("worklog_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                       histogram.count);
  }
  out +=
      "# HELP worklog_db_errors_total Requests that failed because the database answered an "
      "error or could not be reached.\n"
      "# TYPE worklog_db_errors_total counter\n";
  out += fmt::format("worklog_db_errors_total {}\n", db_errors_.load(std::memory_order_relaxed));
  return out;
}

std::string PrometheusLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace worklog::http

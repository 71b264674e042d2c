#include "http/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace worklog::http {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, CountsRequestsByRouteMethodAndStatus) {
  Metrics metrics;
  metrics.RecordRequest("GET", "/api/v1/worklogs/{id}", 200, std::chrono::milliseconds(3));
  metrics.RecordRequest("GET", "/api/v1/worklogs/{id}", 200, std::chrono::milliseconds(30));
  metrics.RecordRequest("GET", "/api/v1/worklogs/{id}", 404, std::chrono::milliseconds(1));
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("worklog_http_requests_total{route=\"/api/v1/worklogs/{id}\","
                              "method=\"GET\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("status=\"404\"} 1\n"));
}

TEST(Metrics, LatencyHistogramIsCumulative) {
  Metrics metrics;
  metrics.RecordRequest("GET", "/healthz", 200, std::chrono::microseconds(100));  // <= 0.0005
  metrics.RecordRequest("GET", "/healthz", 200, std::chrono::milliseconds(20));   // <= 0.025
  metrics.RecordRequest("GET", "/healthz", 200, std::chrono::seconds(10));        // +Inf only
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("bucket{route=\"/healthz\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("bucket{route=\"/healthz\",le=\"0.01\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("bucket{route=\"/healthz\",le=\"0.025\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("bucket{route=\"/healthz\",le=\"2.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("bucket{route=\"/healthz\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("worklog_http_request_duration_seconds_count{route=\"/healthz\"} 3\n"));
}

TEST(Metrics, DatabaseErrorsAreCounted) {
  Metrics metrics;
  metrics.RecordDatabaseError();
  metrics.RecordDatabaseError();
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("worklog_db_errors_total 2\n"));
}

TEST(PrometheusLabel, EscapesQuotesBackslashesAndNewlines) {
  EXPECT_EQ(PrometheusLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace worklog::http

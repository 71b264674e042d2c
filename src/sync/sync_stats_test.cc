// CountingTransport: every outcome counted, timeouts capped.
#include "sync/sync_stats.h"

#include <gtest/gtest.h>

namespace worklog::sync {
namespace {

class FakeTransport final : public gitlab::Transport {
 public:
  Result<gitlab::HttpResponse> Send(const gitlab::HttpRequest& request) override {
    seen = request;
    if (fail) {
      return tl::unexpected(
          Error{ErrorCode::kUnavailable, std::string(gitlab::kTimedOut), "timed out"});
    }
    gitlab::HttpResponse response;
    response.status = status;
    return response;
  }
  gitlab::HttpRequest seen;
  int status = 200;
  bool fail = false;
};

TEST(CountingTransport, CountsStatusesAndTransportFailures) {
  FakeTransport inner;
  SyncStats stats;
  CountingTransport transport(inner, stats);
  gitlab::HttpRequest request;
  request.url = "https://gitlab.example.com/api/v4/user";
  ASSERT_TRUE(transport.Send(request));
  inner.status = 429;
  ASSERT_TRUE(transport.Send(request));
  ASSERT_TRUE(transport.Send(request));
  inner.fail = true;
  EXPECT_FALSE(transport.Send(request));
  const auto counts = stats.Requests();
  EXPECT_EQ(counts.at("200"), 1u);
  EXPECT_EQ(counts.at("429"), 2u);
  EXPECT_EQ(counts.at("timeout"), 1u);
  // The caller's own timeouts when no cap is set.
  EXPECT_EQ(inner.seen.total_timeout, request.total_timeout);
}

TEST(CountingTransport, CapsTimeouts) {
  FakeTransport inner;
  SyncStats stats;
  CountingTransport transport(inner, stats, std::chrono::milliseconds(2000));
  gitlab::HttpRequest request;
  request.total_timeout = std::chrono::milliseconds(60'000);
  request.connect_timeout = std::chrono::milliseconds(1000);
  ASSERT_TRUE(transport.Send(request));
  EXPECT_EQ(inner.seen.total_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(inner.seen.connect_timeout, std::chrono::milliseconds(1000));
}

TEST(SyncStats, CountsErrorsByKindAndOutcome) {
  SyncStats stats;
  stats.RecordSyncError("gitlab.poll_project", "retried");
  stats.RecordSyncError("gitlab.poll_project", "retried");
  stats.RecordSyncError("inbox", "retried");
  const auto errors = stats.SyncErrors();
  EXPECT_EQ(errors.at({"gitlab.poll_project", "retried"}), 2u);
  EXPECT_EQ(errors.at({"inbox", "retried"}), 1u);
}

}  // namespace
}  // namespace worklog::sync

// The durable job queue: due jobs go to one worker at a time, crashed workers' jobs come
// back, retries and unique keys behave.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::IsEmpty;

class JobContract : public StoreTest {
 protected:
  int64_t Enqueue(const std::string& kind, TimePoint run_at,
                  std::optional<std::string> unique_key = std::nullopt,
                  const std::string& payload = R"({"project_id":42})") {
    auto id = store().Jobs().Enqueue(
        {.kind = kind, .payload_json = payload, .run_at = run_at, .unique_key = unique_key});
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or(0);
  }

  std::optional<Job> Claim(const std::string& worker, minutes lease = minutes(5)) {
    auto job = store().Jobs().Claim(worker, clock_.Now(), lease);
    EXPECT_TRUE(job) << job.error().message;
    return job.value_or(std::nullopt);
  }
};
WORKLOG_STORE_BACKENDS(JobContract);

TEST_P(JobContract, DueJobIsClaimedOnceWithItsPayload) {
  const int64_t id = Enqueue("backfill_project", clock_.Now());
  auto job = Claim("node-a/1");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->id, id);
  EXPECT_EQ(job->kind, "backfill_project");
  EXPECT_EQ(job->payload_json, R"({"project_id":42})");
  EXPECT_EQ(job->state, JobState::kRunning);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(job->claimed_by, "node-a/1");
  EXPECT_EQ(job->lease_until, clock_.Now() + minutes(5));
  EXPECT_EQ(job->created_at, clock_.Now());
  EXPECT_FALSE(Claim("node-b/1"));
}

TEST_P(JobContract, JobIsNotClaimedBeforeItsRunAt) {
  Enqueue("poll_project", clock_.Now() + minutes(10));
  EXPECT_FALSE(Claim("w"));
  clock_.Advance(minutes(10));
  EXPECT_TRUE(Claim("w"));
}

TEST_P(JobContract, MostOverdueJobComesFirst) {
  const int64_t later = Enqueue("b", clock_.Now() - minutes(1));
  const int64_t earlier = Enqueue("a", clock_.Now() - minutes(5));
  EXPECT_EQ(Claim("w")->id, earlier);
  EXPECT_EQ(Claim("w")->id, later);
}

TEST_P(JobContract, CompletedJobIsGone) {
  const int64_t id = Enqueue("register_hook", clock_.Now());
  ASSERT_TRUE(Claim("w"));
  ASSERT_TRUE(store().Jobs().Complete(id));
  EXPECT_EQ(store().Jobs().Get(id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Jobs().CountActive().value(), 0);
  clock_.Advance(minutes(30));
  EXPECT_FALSE(Claim("w"));
  EXPECT_EQ(store().Jobs().Complete(id).error().code, ErrorCode::kNotFound);
}

TEST_P(JobContract, CrashedWorkersJobIsClaimedAgainWhenItsLeaseEnds) {
  const int64_t id = Enqueue("backfill_project", clock_.Now());
  ASSERT_TRUE(Claim("node-a/1", minutes(5)));
  // node-a dies without completing.
  clock_.Advance(minutes(5) - seconds(1));
  EXPECT_FALSE(Claim("node-b/1"));
  clock_.Advance(seconds(1));
  auto again = Claim("node-b/1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, id);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->claimed_by, "node-b/1");
}

TEST_P(JobContract, RetryRequeuesAtTheGivenTimeWithTheError) {
  const int64_t id = Enqueue("refresh_token", clock_.Now());
  ASSERT_TRUE(Claim("w"));
  ASSERT_TRUE(store().Jobs().Retry(id, clock_.Now() + minutes(2), "GitLab answered 503"));
  auto queued = store().Jobs().Get(id);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->state, JobState::kQueued);
  EXPECT_EQ(queued->last_error, "GitLab answered 503");
  EXPECT_EQ(queued->run_at, clock_.Now() + minutes(2));
  EXPECT_FALSE(Claim("w"));
  clock_.Advance(minutes(2));
  auto again = Claim("w");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, id);
  EXPECT_EQ(again->attempts, 2);
}

TEST_P(JobContract, FailedJobIsKeptButNeverClaimed) {
  const int64_t id = Enqueue("register_hook", clock_.Now());
  ASSERT_TRUE(Claim("w"));
  ASSERT_TRUE(store().Jobs().Fail(id, "project 42 is gone"));
  clock_.Advance(minutes(60));
  EXPECT_FALSE(Claim("w"));
  auto failed = store().Jobs().Get(id);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_EQ(failed->last_error, "project 42 is gone");
  EXPECT_EQ(store().Jobs().CountActive().value(), 0);
  EXPECT_EQ(store().Jobs().Fail(999, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Jobs().Retry(999, clock_.Now(), "x").error().code, ErrorCode::kNotFound);
}

TEST_P(JobContract, SameUniqueKeyIsQueuedOnce) {
  const int64_t first = Enqueue("poll_project", clock_.Now(), "poll:42");
  EXPECT_EQ(Enqueue("poll_project", clock_.Now(), "poll:42"), first);
  EXPECT_NE(Enqueue("poll_project", clock_.Now(), "poll:43"), first);
  EXPECT_EQ(store().Jobs().CountActive().value(), 2);
}

TEST_P(JobContract, WorkRequestedWhileAJobRunsGetsAFreshJob) {
  const int64_t running = Enqueue("poll_project", clock_.Now(), "poll:42");
  ASSERT_EQ(Claim("w")->id, running);
  const int64_t fresh = Enqueue("poll_project", clock_.Now(), "poll:42");
  EXPECT_NE(fresh, running);
  // The running one fails and would be retried, but the fresh one already covers it.
  ASSERT_TRUE(store().Jobs().Retry(running, clock_.Now(), "timeout"));
  EXPECT_EQ(store().Jobs().Get(running).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Claim("w")->id, fresh);
}

TEST_P(JobContract, ConcurrentClaimersNeverClaimTheSameJob) {
  constexpr int kJobs = 80;
  for (int i = 0; i < kJobs; ++i) {
    Enqueue("job", clock_.Now() - seconds(i));
  }
  auto other_node = OpenAnother();
  ASSERT_NE(other_node, nullptr);
  std::mutex mutex;
  std::map<int64_t, int> claims;    // Guarded by mutex.
  std::vector<std::string> errors;  // Guarded by mutex.
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < 6; ++w) {
      auto& node = w % 2 == 0 ? store() : *other_node;
      workers.emplace_back([&, w] {
        const std::string worker = "worker-" + std::to_string(w);
        while (true) {
          auto job = node.Jobs().Claim(worker, clock_.Now(), minutes(5));
          if (!job || !*job) {
            std::lock_guard lock(mutex);
            if (!job) {
              errors.push_back(job.error().message);
            }
            return;
          }
          {
            std::lock_guard lock(mutex);
            ++claims[(*job)->id];
          }
          if (auto done = node.Jobs().Complete((*job)->id); !done) {
            std::lock_guard lock(mutex);
            errors.push_back(done.error().message);
          }
        }
      });
    }
  }
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, count] : claims) {
    EXPECT_EQ(count, 1) << "job " << id << " was claimed " << count << " times";
  }
  EXPECT_EQ(store().Jobs().CountActive().value(), 0);
}

}  // namespace
}  // namespace worklog::store::testing

// `kill -9` of `worklog serve` in the middle of a stream of worklog writes: every write the
// server acknowledged (201) is there after a restart, on SQLite and on PostgreSQL.

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "integration/deployment.h"

namespace worklog::testing {
namespace {

class CrashRecovery : public ::testing::TestWithParam<Backend> {};

TEST_P(CrashRecovery, KillDashNineLosesNoAcknowledgedWorklog) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  const std::string token = deployment->CreateToken("alice@example.com");
  const int port = deployment->server().port();

  std::mutex mutex;
  std::set<int64_t> acknowledged;  // Guarded by mutex.
  std::atomic<bool> stop{false};
  constexpr int kWriters = 2;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      ApiClient client(port);
      client.UseBearer(token);
      for (int i = 0; !stop.load(); ++i) {
        const Reply reply = client.Post(
            "/api/v1/worklogs",
            Worklog("CRASH-" + std::to_string(w), 60 + i, "write " + std::to_string(i)));
        if (reply.status == 0) {
          return;  // the server is gone
        }
        if (reply.status == 201) {
          std::lock_guard lock(mutex);
          acknowledged.insert(reply.json["id"].get<int64_t>());
        }
      }
    });
  }
  // Kill while the writers are mid-stream, once a fair number of writes were acknowledged.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (acknowledged.size() >= 200) {
        break;
      }
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "writes too slow";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  deployment->server().Kill();
  stop = true;
  for (auto& writer : writers) {
    writer.join();
  }

  ASSERT_TRUE(deployment->server().Start().has_value());
  ApiClient reader = deployment->Client();
  reader.UseBearer(token);
  const Reply listed = reader.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24");
  ASSERT_EQ(listed.status, 200) << listed.body;
  std::set<int64_t> stored;
  for (const auto& worklog : listed.json["worklogs"]) {
    stored.insert(worklog["id"].get<int64_t>());
  }
  std::vector<int64_t> lost;
  for (const int64_t id : acknowledged) {
    if (!stored.contains(id)) {
      lost.push_back(id);
    }
  }
  EXPECT_TRUE(lost.empty()) << lost.size() << " of " << acknowledged.size()
                            << " acknowledged worklogs are missing after kill -9";
  EXPECT_GE(stored.size(), acknowledged.size());
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashRecovery,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace worklog::testing

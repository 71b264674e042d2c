// Browsers ask for "gzip, deflate, br". serve answers text and JSON gzipped, never with
// Brotli: the HTTP library's Brotli runs at its highest quality, ~15 MB of memory and tens
// of ms of CPU per response (see WithoutBrotli in src/http/server.cc). And a connection thread
// serving a busy keep-alive client is handed on, so one more client is not kept waiting. A
// port already served is not shared with a second serve.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "deployment.h"

namespace worklog::testing {
namespace {

TEST(HttpEncoding, BrowsersGetGzipNotBrotliAndTheSameBody) {
  auto deployment = Deployment::Create(Backend::kSqlite);
  ASSERT_NE(deployment, nullptr);
  ASSERT_TRUE(deployment->server().Start().has_value());
  ApiClient client = deployment->Client();
  const Reply plain = client.Get("/metrics");
  ASSERT_EQ(plain.status, 200);
  ASSERT_EQ(plain.Header("Content-Encoding"), "");

  for (const std::string accept : {"gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "BR, gzip"}) {
    const Reply compressed = client.Get("/metrics", {{"Accept-Encoding", accept}});
    ASSERT_EQ(compressed.status, 200) << accept;
    EXPECT_EQ(compressed.Header("Content-Encoding"), "gzip") << accept;
    // The client library inflates it: the same metrics text (counters may have moved on).
    EXPECT_EQ(compressed.body.substr(0, 40), plain.body.substr(0, 40)) << accept;
  }
  const Reply brotli_only = client.Get("/metrics", {{"Accept-Encoding", "br"}});
  ASSERT_EQ(brotli_only.status, 200);
  EXPECT_EQ(brotli_only.Header("Content-Encoding"), "");
}

// Every connection thread is held by a client that never pauses between requests on its
// keep-alive connection; a new client is still answered, because a connection is closed after
// a bounded number of requests and its thread takes the next one waiting.
TEST(HttpConnections, BusyKeepAliveClientsDoNotStarveANewOne) {
  auto deployment = Deployment::Create(Backend::kSqlite, {"--threads", "2"});
  ASSERT_NE(deployment, nullptr);
  ASSERT_TRUE(deployment->server().Start().has_value());
  const int port = deployment->server().port();
  std::atomic<bool> stop{false};
  std::atomic<int> busy_requests{0};
  std::vector<std::thread> busy;
  for (int i = 0; i < 2; ++i) {
    busy.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      while (!stop) {
        if (auto reply = client.Get("/healthz"); reply && reply->status == 200) {
          ++busy_requests;
        }
      }
    });
  }
  while (busy_requests < 100) {
    std::this_thread::yield();
  }
  httplib::Client newcomer("127.0.0.1", port);
  newcomer.set_read_timeout(std::chrono::seconds(10));
  const auto reply = newcomer.Get("/healthz");
  stop = true;
  for (std::thread& thread : busy) {
    thread.join();
  }
  ASSERT_TRUE(reply) << "the new client got no answer: " << httplib::to_string(reply.error());
  EXPECT_EQ(reply->status, 200);
}

// A second serve started on a port one is already serving (an old instance left running)
// says so and exits, instead of silently sharing the port's connections with it.
TEST(HttpConnections, ASecondServeOnAPortInUseRefusesToStart) {
  auto deployment = Deployment::Create(Backend::kSqlite);
  ASSERT_NE(deployment, nullptr);
  ASSERT_TRUE(deployment->server().Start().has_value());
  const std::string listen = "127.0.0.1:" + std::to_string(deployment->server().port());
  const TempDir second;
  const CommandResult result = RunWorklog({"serve", "--db", "sqlite:" + second.File("worklog.db"),
                                           "--data-dir", second.File("data"), "--listen", listen},
                                          "", std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot listen on " + listen), std::string::npos) << result.err;
  // The first one still answers.
  EXPECT_EQ(deployment->Client().Get("/healthz").status, 200);
}

}  // namespace
}  // namespace worklog::testing

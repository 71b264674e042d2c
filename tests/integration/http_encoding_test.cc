// Browsers ask for "gzip, deflate, br". serve answers text and JSON gzipped, never with
// Brotli: the HTTP library's Brotli runs at its highest quality, ~15 MB of memory and tens
// of ms of CPU per response (see WithoutBrotli in src/http/server.cc).
#include <string>

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

}  // namespace
}  // namespace worklog::testing

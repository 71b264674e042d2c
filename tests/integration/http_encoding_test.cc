// Browsers ask for "gzip, deflate, br". serve answers text and JSON gzipped, never with
// Brotli: the HTTP library's Brotli runs at its highest quality, ~15 MB of memory and tens
// of ms of CPU per response (see WithoutBrotli in src/http/server.cc). And a connection thread
// serving a busy keep-alive client is handed on, so one more client is not kept waiting. A
// port already served is not shared with a second serve. Its listen queue holds a burst of
// reconnects.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

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
  busy.reserve(2);
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

// The accept queue length limit of the TCP socket listening on 127.0.0.1:`port`, as the
// kernel reports it (sock_diag, what `ss -lt` shows as Send-Q); empty if none is found.
std::optional<uint32_t> ListenBacklog(int port) {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    return std::nullopt;
  }
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1U << 10;  // TCP_LISTEN
  std::optional<uint32_t> backlog;
  if (::send(fd, &message, sizeof(message), 0) == static_cast<ssize_t>(sizeof(message))) {
    alignas(nlmsghdr) std::array<char, 32768> buffer{};
    bool done = false;
    while (!done) {
      const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (got <= 0) {
        break;
      }
      // Netlink messages, each aligned to 4 bytes; copied out, as the buffer is only chars.
      const auto align = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
      const auto length = static_cast<std::size_t>(got);
      std::size_t offset = 0;
      while (!done && offset + sizeof(nlmsghdr) <= length) {
        nlmsghdr header{};
        std::memcpy(&header, buffer.data() + offset, sizeof(header));
        if (header.nlmsg_len < sizeof(nlmsghdr) || offset + header.nlmsg_len > length ||
            header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR) {
          done = true;
          break;
        }
        inet_diag_msg found{};
        std::memcpy(&found, buffer.data() + offset + align(sizeof(nlmsghdr)), sizeof(found));
        if (ntohs(found.id.idiag_sport) == port &&
            found.id.idiag_src[0] == htonl(INADDR_LOOPBACK)) {
          backlog = found.idiag_wqueue;  // a listener's limit
        }
        offset += align(header.nlmsg_len);
      }
    }
  }
  ::close(fd);
  return backlog;
}

// cpp-httplib listens with a queue of 5 connections. On 2 busy cores a burst of reconnects
// (every keep-alive connection is closed after 100 requests) overflowed it, and Linux then
// drops the handshake's last ACK: the client's request waited for a 200 ms retransmission,
// and up to 1.7 s in a feed benchmark. serve listens with the system's limit.
TEST(HttpConnections, TheListenQueueHoldsABurstOfReconnects) {
  auto deployment = Deployment::Create(Backend::kSqlite);
  ASSERT_NE(deployment, nullptr);
  ASSERT_TRUE(deployment->server().Start().has_value());
  uint32_t somaxconn = 128;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  const std::optional<uint32_t> backlog = ListenBacklog(deployment->server().port());
  ASSERT_TRUE(backlog.has_value()) << "no listening socket found on the serve's port";
  EXPECT_GE(*backlog, std::min<uint32_t>(somaxconn, 128));
}

}  // namespace
}  // namespace worklog::testing

// Issue #7.1: the README's nginx site for several nodes, run for real. The test takes the
// ```nginx block of README.md as it is, points its upstream at two `worklog serve` nodes on
// one PostgreSQL and its listen at a loopback port (no TLS here), and starts Debian's nginx
// with it. Through nginx: both nodes answer requests, a GitLab push payload larger than
// nginx's default 1 MiB body limit reaches worklog, and after one node is killed with
// `kill -9` every request still succeeds on the other, with what the dead node stored.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "deployment.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {
namespace {

using std::chrono::seconds;

constexpr char kNginx[] = "/usr/sbin/nginx";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The ```nginx block of the README.
std::string ReadmeNginxSite() {
  const std::string readme = ReadFile(std::string(WORKLOG_SOURCE_DIR) + "/README.md");
  const std::string open = "```nginx\n";
  const auto begin = readme.find(open);
  if (begin == std::string::npos) {
    return "";
  }
  const auto end = readme.find("```", begin + open.size());
  return readme.substr(begin + open.size(), end - begin - open.size());
}

// A loopback port nobody listens on now (nginx binds it right after).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// nginx in the foreground, everything it writes under `dir`.
class Nginx {
 public:
  Nginx(const TempDir& dir, const std::string& site) : dir_(dir) {
    const std::string conf = dir_.File("nginx.conf");
    std::ofstream out(conf);
    // One process (no workers switching to another user that could not write `dir`).
    out << "daemon off;\nmaster_process off;\n"
        << "pid " << dir_.File("nginx.pid") << ";\n"
        << "error_log " << dir_.File("error.log") << " info;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n"
        << "  access_log " << dir_.File("access.log") << ";\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      out << "  " << temp << "_temp_path " << dir_.File(std::string(temp) + "-temp") << ";\n";
    }
    out << site << "}\n";
    out.close();
    pid_ = fork();
    if (pid_ == 0) {
      execl(kNginx, kNginx, "-p", dir_.path().c_str(), "-c", conf.c_str(), nullptr);
      _exit(127);
    }
  }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;
  ~Nginx() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string ErrorLog() const { return ReadFile(dir_.File("error.log")); }

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
};

// The requests a node answered on `route` (its /metrics).
int Answered(int node_port, const std::string& route) {
  ApiClient client(node_port);
  const Reply metrics = client.Get("/metrics");
  int total = 0;
  const std::regex line("worklog_http_requests_total\\{route=\"" + route +
                        "\",method=\"[A-Z]+\",status=\"[0-9]+\"\\} ([0-9]+)");
  for (std::sregex_iterator it(metrics.body.begin(), metrics.body.end(), line), end; it != end;
       ++it) {
    total += std::stoi((*it)[1]);
  }
  return total;
}

TEST(NginxSite, ReadmeSiteBalancesTwoNodesPassesPushSizedBodiesAndSurvivesAKilledNode) {
  if (access(kNginx, X_OK) != 0) {
    GTEST_SKIP() << "nginx is not installed (scripts/install-deps --test installs nginx-light)";
  }
  TempDir dir;
  std::unique_ptr<PgTestDatabase> pg;
  const auto db_url = TestDatabaseUrl(Backend::kPostgres, dir, pg);
  if (!db_url) {
    GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
  }
  std::string site = ReadmeNginxSite();
  ASSERT_NE(site.find("upstream worklog"), std::string::npos) << "README has no nginx site";

  AddUserTo(*db_url, "ada@example.com", "Ada", "user");
  const std::string token = CreateTokenIn(*db_url, "ada@example.com");
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  for (int i = 0; i < 2; ++i) {
    nodes.push_back(std::make_unique<ServerProcess>(
        ServeConfig{.db_url = *db_url,
                    .data_dir = dir.File("data-" + std::to_string(i)),
                    .public_url = "http://127.0.0.1",
                    .extra_args = {},
                    .env = {{"WORKLOG_SECRET_KEY", std::string(64, 'a')}}}));
    auto started = nodes.back()->Start();
    ASSERT_TRUE(started) << started.error().message;
  }
  const int nginx_port = FreePort();
  ASSERT_GT(nginx_port, 0);
  // The README's addresses become the nodes'; its TLS listener a plain loopback one.
  site = std::regex_replace(site, std::regex("10\\.0\\.0\\.11:8080"),
                            "127.0.0.1:" + std::to_string(nodes[0]->port()));
  site = std::regex_replace(site, std::regex("10\\.0\\.0\\.12:8080"),
                            "127.0.0.1:" + std::to_string(nodes[1]->port()));
  site = std::regex_replace(site, std::regex("listen 443 ssl;"),
                            "listen 127.0.0.1:" + std::to_string(nginx_port) + ";");
  ASSERT_EQ(site.find("10.0.0."), std::string::npos) << site;
  TempDir nginx_dir;
  Nginx nginx(nginx_dir, site);
  ApiClient ada(nginx_port);
  ada.UseBearer(token);
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (ada.Get("/healthz").status != 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(ada.Get("/healthz").status, 200) << nginx.ErrorLog();

  // Round robin: ten worklogs through nginx, both nodes took some.
  const auto log_one = [&](int i) {
    return ada.Post("/api/v1/worklogs", nlohmann::json{{"issue_key", "PROJ-" + std::to_string(i)},
                                                       {"start_date", "2026-11-24"},
                                                       {"start_time", "09:00"},
                                                       {"duration_seconds", 900},
                                                       {"description", "through nginx"}});
  };
  for (int i = 1; i <= 10; ++i) {
    const Reply created = log_one(i);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  const int first = Answered(nodes[0]->port(), "/api/v1/worklogs");
  const int second = Answered(nodes[1]->port(), "/api/v1/worklogs");
  EXPECT_EQ(first + second, 10);
  EXPECT_GT(first, 0) << "node 1 answered none";
  EXPECT_GT(second, 0) << "node 2 answered none";

  // A push payload of ~2 MiB (nginx's default limit is 1 MiB): worklog, not nginx, answers
  // (401: the token is wrong), and its token check is what refuses it.
  const std::string big(2 << 20, 'x');
  const Reply hook = ada.Post("/hooks/gitlab", "{\"object_kind\":\"push\",\"pad\":\"" + big + "\"}",
                              {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "wrong"}});
  EXPECT_EQ(hook.status, 401) << hook.body.substr(0, 300);

  // kill -9 one node: nginx passes what it cannot deliver there to the other, so every
  // request still succeeds, and the worklogs the dead node stored are all there.
  nodes[0]->Kill();
  for (int i = 11; i <= 20; ++i) {
    const Reply created = log_one(i);
    EXPECT_EQ(created.status, 201) << created.body;
  }
  const Reply listed = ada.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json["worklogs"].size(), 20U);
}

}  // namespace
}  // namespace worklog::testing

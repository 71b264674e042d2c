#include "gitlab/curl_transport.h"

#include <unistd.h>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "gitlab/testing/scripted_server.h"

namespace worklog::gitlab {
namespace {

using testing::ScriptedServer;

// A loopback port that was free a moment ago and on which nothing listens.
int UnusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

HttpRequest Get(const std::string& url) {
  HttpRequest request;
  request.url = url;
  return request;
}

TEST(CurlTransport, ReturnsStatusLowercasedHeadersAndBody) {
  ScriptedServer server;
  server.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_header("X-Next-Page", "3");
    res.set_content(R"({"message":"404 Not Found"})", "application/json");
  });
  server.Start();
  CurlTransport transport;

  const auto response = transport.Send(Get(server.url() + "/hello"));

  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("x-next-page"), "3");
  EXPECT_EQ(response->Header("X-NEXT-PAGE"), "3");
  EXPECT_EQ(response->body, R"({"message":"404 Not Found"})");
}

TEST(CurlTransport, PostsBodyAndHeaders) {
  ScriptedServer server;
  server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_header_value("X-Test") + "|" + req.body, "text/plain");
  });
  server.Start();
  CurlTransport transport;
  HttpRequest request = Get(server.url() + "/echo");
  request.method = "POST";
  request.headers = {{"X-Test", "yes"}, {"Content-Type", "application/json"}};
  request.body = R"({"a":1})";

  const auto response = transport.Send(request);

  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, R"(yes|{"a":1})");
}

TEST(CurlTransport, DeleteWithoutBodyIsSent) {
  ScriptedServer server;
  server.Delete("/thing/1",
                [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  server.Start();
  CurlTransport transport;
  HttpRequest request = Get(server.url() + "/thing/1");
  request.method = "DELETE";

  const auto response = transport.Send(request);

  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 204);
}

TEST(CurlTransport, RefusedConnectionIsAConnectFailure) {
  const int port = UnusedPort();
  CurlTransport transport;

  const auto response = transport.Send(Get("http://127.0.0.1:" + std::to_string(port) + "/x"));

  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(response.error().field, kConnectFailed);
}

TEST(CurlTransport, SlowServerTimesOut) {
  ScriptedServer server;
  server.Get("/slow", [&server](const httplib::Request&, httplib::Response& res) {
    server.BlockUntilReleased();
    res.set_content("late", "text/plain");
  });
  server.Start();
  CurlTransport transport;
  HttpRequest request = Get(server.url() + "/slow");
  request.total_timeout = std::chrono::milliseconds(200);

  const auto response = transport.Send(request);

  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(response.error().field, kTimedOut);
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos);
}

TEST(CurlTransport, BodyCutShortOfContentLengthIsTruncated) {
  ScriptedServer server;
  server.Get("/cut", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1000, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
      sink.write("[{\"id\":1", 8);
      return false;  // drop the connection mid-body
    });
  });
  server.Start();
  CurlTransport transport;

  const auto response = transport.Send(Get(server.url() + "/cut"));

  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
}

TEST(CurlTransport, OversizedResponseIsRefused) {
  ScriptedServer server;
  server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(4096, 'x'), "text/plain");
  });
  server.Start();
  CurlTransportOptions options;
  options.max_response_bytes = 1024;
  CurlTransport transport(options);

  const auto response = transport.Send(Get(server.url() + "/big"));

  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message.find("larger than 1024 bytes"), std::string::npos)
      << response.error().message;
}

TEST(CurlTransport, NonHttpSchemesAreNotFetched) {
  CurlTransport transport;
  const auto response = transport.Send(Get("file:///etc/passwd"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
}

TEST(CurlTransport, RedirectsAreNotFollowed) {
  ScriptedServer server;
  server.Get("/moved", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://127.0.0.1:1/elsewhere");
  });
  server.Start();
  CurlTransport transport;

  const auto response = transport.Send(Get(server.url() + "/moved"));

  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 302);
}

}  // namespace
}  // namespace worklog::gitlab

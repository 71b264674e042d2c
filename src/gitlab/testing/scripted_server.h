#pragma once

// Test-only helpers for src/gitlab tests: an in-process HTTP server on 127.0.0.1:0 whose
// handlers each test scripts, and a sleeper that records instead of sleeping.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gitlab/retry.h"

namespace worklog::gitlab::testing {

struct SeenRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> params;  // query (or form) parameters
  std::string authorization;
  std::string content_type;
  std::string body;

  std::string Param(const std::string& name) const {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

class ScriptedServer {
 public:
  ScriptedServer() { port_ = server_.bind_to_any_port("127.0.0.1"); }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  ScriptedServer(ScriptedServer&&) = delete;
  ScriptedServer& operator=(ScriptedServer&&) = delete;
  ~ScriptedServer() {
    ReleaseBlocked();
    server_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  // Register handlers first, then Start(). Each request is recorded before its handler
  // runs, so a test sees it as soon as its call returns.
  void Get(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Get(pattern, Recorded(std::move(handler)));
  }
  void Post(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Post(pattern, Recorded(std::move(handler)));
  }
  void Put(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Put(pattern, Recorded(std::move(handler)));
  }
  void Delete(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Delete(pattern, Recorded(std::move(handler)));
  }
  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the server runs: wait for it, so the destructor cannot hang.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t CountRequests(const std::string& path) const {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& seen : seen_) {
      count += seen.path == path ? 1u : 0u;
    }
    return count;
  }

  // For handlers that must outlast a client timeout: waits until the test ends (or 10 s).
  void BlockUntilReleased() {
    std::unique_lock lock(mutex_);
    released_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return released_; });
  }
  void ReleaseBlocked() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }

 private:
  httplib::Server::Handler Recorded(httplib::Server::Handler handler) {
    return
        [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
          SeenRequest seen{req.method,
                           req.path,
                           {},
                           req.get_header_value("Authorization"),
                           req.get_header_value("Content-Type"),
                           req.body};
          for (const auto& [name, value] : req.params) {
            seen.params.emplace(name, value);
          }
          {
            std::lock_guard lock(mutex_);
            seen_.push_back(std::move(seen));
          }
          handler(req, res);
        };
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<SeenRequest> seen_;  // Guarded by mutex_.
  bool released_ = false;          // Guarded by mutex_.
  std::condition_variable released_cv_;
};

// Records each wait instead of sleeping; moves `clock` forward when given one.
class RecordingSleeper final : public Sleeper {
 public:
  explicit RecordingSleeper(FakeClock* clock = nullptr) : clock_(clock) {}
  void Sleep(std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    waits_.push_back(duration);
    if (clock_ != nullptr) {
      clock_->Advance(duration);
    }
  }
  std::vector<std::chrono::milliseconds> waits() const {
    std::lock_guard lock(mutex_);
    return waits_;
  }

 private:
  FakeClock* clock_;
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> waits_;  // Guarded by mutex_.
};

}  // namespace worklog::gitlab::testing

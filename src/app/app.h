#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "app/accounts.h"
#include "app/activity_feed.h"
#include "app/automation.h"
#include "app/feed_settings.h"
#include "app/gitlab_app.h"
#include "app/worklogs.h"
#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace worklog::app {

struct AppOptions {
  std::string public_url;  // how browsers reach us, e.g. "https://worklog.example.com"
  std::string data_dir;    // private files: the first administrator's password, keys
  AccountsOptions accounts;
  GitlabAppOptions gitlab;       // the GitLab integration (app/gitlab_app.h)
  AutomationOptions automation;  // smart commits, auto_log_day_end (app/automation.h)
  // Rendered Activity Feed responses kept in memory (app/feed_cache.h); 0: none.
  std::size_t feed_cache_bytes = std::size_t{32} << 20;
};

// Every use case, over one Store. Built by `worklog serve`, and in-process by tests and
// benchmarks. Thread-safe.
class App {
 public:
  // Opens the database at `db_url` and applies its migrations.
  static Result<std::unique_ptr<App>> Open(const std::string& db_url, const Clock& clock,
                                           AppOptions options);

  App(std::unique_ptr<store::Store> store, const Clock& clock, AppOptions options);
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  App(App&&) = delete;
  App& operator=(App&&) = delete;
  ~App() = default;

  store::Store& store() { return *store_; }
  const Clock& clock() const { return clock_; }
  const AppOptions& options() const { return options_; }
  // For `serve` on port 0 without a public URL: the URL is known only once bound. Call
  // before serving (not thread-safe).
  void SetPublicUrl(std::string url) {
    options_.public_url = std::move(url);
    gitlab_->SetPublicUrl(options_.public_url);
  }
  // True when the public URL is https (cookies get the Secure attribute).
  bool secure() const;

  Accounts& accounts() { return accounts_; }
  Worklogs& worklogs() { return worklogs_; }
  ActivityFeed& activity_feed() { return activity_feed_; }
  Automation& automation() { return automation_; }
  FeedSettings& feed_settings() { return feed_settings_; }
  GitlabApp& gitlab() { return *gitlab_; }

 private:
  std::unique_ptr<store::Store> store_;
  const Clock& clock_;
  AppOptions options_;
  Accounts accounts_;
  Worklogs worklogs_;
  ActivityFeed activity_feed_;
  Automation automation_;
  FeedSettings feed_settings_;
  std::unique_ptr<GitlabApp> gitlab_;  // last: its workers use the members above
};

}  // namespace worklog::app

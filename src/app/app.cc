#include "app/app.h"

#include <utility>

namespace worklog::app {

Result<std::unique_ptr<App>> App::Open(const std::string& db_url, const Clock& clock,
                                       AppOptions options) {
  auto store = store::OpenStore(db_url, clock);
  if (!store) {
    return tl::unexpected(store.error());
  }
  if (auto migrated = (*store)->Migrate(); !migrated) {
    return tl::unexpected(migrated.error());
  }
  return std::make_unique<App>(std::move(*store), clock, std::move(options));
}

App::App(std::unique_ptr<store::Store> store, const Clock& clock, AppOptions options)
    : store_(std::move(store)),
      clock_(clock),
      options_(std::move(options)),
      accounts_(*store_, clock_, options_.accounts),
      worklogs_(*store_, clock_),
      activity_feed_(*store_, clock_, worklogs_, options_.automation.smart_commits),
      automation_(*store_, clock_, worklogs_, activity_feed_, options_.automation),
      feed_settings_(*store_, clock_),
      gitlab_(std::make_unique<GitlabApp>(*store_, clock_, accounts_, options_.public_url,
                                          options_.data_dir, options_.gitlab)) {
  activity_feed_.SetCacheBytes(options_.feed_cache_bytes);
  // The sync workers run the automation rules; sync cannot call app, so app hands them in.
  gitlab_->sync().SetSmartCommitHandler([this](const std::vector<domain::Activity>& commits) {
    return automation_.LogSmartCommits(commits);
  });
  gitlab_->sync().SetPeriodic([this] { automation_.Tick(); });
}

bool App::secure() const { return options_.public_url.starts_with("https://"); }

}  // namespace worklog::app

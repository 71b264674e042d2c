// GET /metrics, the GitLab integration's part (Prometheus text format).
#include <map>
#include <string>

#include <fmt/format.h>

#include "app/gitlab_app.h"

namespace worklog::app {
namespace {

std::string Escape(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
    }
    out.push_back(c == '\n' ? ' ' : c);
  }
  return out;
}

}  // namespace

std::string GitlabApp::RenderMetrics() {
  std::string out;
  out +=
      "# HELP worklog_gitlab_requests_total Requests this node sent to GitLab, by HTTP status "
      "or transport failure (timeout, connect, transport).\n"
      "# TYPE worklog_gitlab_requests_total counter\n";
  for (const auto& [status, count] : org_->stats().Requests()) {
    out +=
        fmt::format("worklog_gitlab_requests_total{{status=\"{}\"}} {}\n", Escape(status), count);
  }
  out +=
      "# HELP worklog_gitlab_sync_errors_total Background GitLab work that failed on this node, "
      "by job kind and outcome (retried, failed, dropped).\n"
      "# TYPE worklog_gitlab_sync_errors_total counter\n";
  for (const auto& [key, count] : org_->stats().SyncErrors()) {
    out += fmt::format("worklog_gitlab_sync_errors_total{{kind=\"{}\",outcome=\"{}\"}} {}\n",
                       Escape(key.first), Escape(key.second), count);
  }
  // Gauges read from the shared database: the same on every node.
  if (auto pending = store_.Inbox().CountPending()) {
    out +=
        "# HELP worklog_gitlab_inbox_pending Webhook deliveries stored but not yet normalized.\n"
        "# TYPE worklog_gitlab_inbox_pending gauge\n";
    out += fmt::format("worklog_gitlab_inbox_pending {}\n", *pending);
  }
  if (auto active = store_.Jobs().CountActive()) {
    out +=
        "# HELP worklog_gitlab_jobs_active Background jobs queued or running.\n"
        "# TYPE worklog_gitlab_jobs_active gauge\n";
    out += fmt::format("worklog_gitlab_jobs_active {}\n", *active);
  }
  if (auto integration = store_.GitlabOrg().Get()) {
    out +=
        "# HELP worklog_gitlab_organization_status 1 for the organization connection's "
        "current status.\n"
        "# TYPE worklog_gitlab_organization_status gauge\n";
    for (const auto status : {store::OrgStatus::kDisconnected, store::OrgStatus::kConnected,
                              store::OrgStatus::kNeedsReauthorization}) {
      out += fmt::format("worklog_gitlab_organization_status{{status=\"{}\"}} {}\n",
                         store::OrgStatusName(status), integration->status == status ? 1 : 0);
    }
    out +=
        "# HELP worklog_gitlab_organization_error 1 while the connection shows an error to "
        "the administrator.\n"
        "# TYPE worklog_gitlab_organization_error gauge\n";
    out += fmt::format("worklog_gitlab_organization_error {}\n",
                       integration->last_error.empty() ? 0 : 1);
  }
  if (auto projects = store_.GitlabOrg().ListProjects()) {
    std::map<std::string, int64_t> by_status;
    for (const auto status :
         {store::HookStatus::kPending, store::HookStatus::kActive, store::HookStatus::kPolling,
          store::HookStatus::kFailed, store::HookStatus::kNone}) {
      by_status[std::string(store::HookStatusName(status))] = 0;
    }
    for (const auto& project : *projects) {
      if (project.owned && project.monitored) {
        ++by_status[std::string(store::HookStatusName(project.hook_status))];
      }
    }
    out +=
        "# HELP worklog_gitlab_projects Monitored projects by webhook status.\n"
        "# TYPE worklog_gitlab_projects gauge\n";
    for (const auto& [status, count] : by_status) {
      out += fmt::format("worklog_gitlab_projects{{hook_status=\"{}\"}} {}\n", status, count);
    }
  }
  return out;
}

}  // namespace worklog::app

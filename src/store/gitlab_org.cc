#include "store/gitlab_org.h"

#include <fmt/format.h>

namespace worklog::store {

std::string_view OrgStatusName(OrgStatus status) {
  switch (status) {
    case OrgStatus::kConnected:
      return "connected";
    case OrgStatus::kNeedsReauthorization:
      return "needs_reauthorization";
    case OrgStatus::kDisconnected:
      break;
  }
  return "disconnected";
}

Result<OrgStatus> ParseOrgStatus(std::string_view text) {
  for (OrgStatus status :
       {OrgStatus::kDisconnected, OrgStatus::kConnected, OrgStatus::kNeedsReauthorization}) {
    if (OrgStatusName(status) == text) {
      return status;
    }
  }
  return Internal(fmt::format("unknown organization status \"{}\"", text));
}

std::string_view HookStatusName(HookStatus status) {
  switch (status) {
    case HookStatus::kActive:
      return "active";
    case HookStatus::kFailed:
      return "failed";
    case HookStatus::kPolling:
      return "polling";
    case HookStatus::kNone:
      return "none";
    case HookStatus::kPending:
      break;
  }
  return "pending";
}

Result<HookStatus> ParseHookStatus(std::string_view text) {
  for (HookStatus status : {HookStatus::kPending, HookStatus::kActive, HookStatus::kFailed,
                            HookStatus::kPolling, HookStatus::kNone}) {
    if (HookStatusName(status) == text) {
      return status;
    }
  }
  return Internal(fmt::format("unknown hook status \"{}\"", text));
}

}  // namespace worklog::store

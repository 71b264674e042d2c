#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace worklog::domain {

// Jira-style keys ([A-Z][A-Z0-9_]+-[0-9]+, e.g. "PROJ-7") in `text`, in order of first
// appearance, without duplicates. Linear in the size of `text`; never fails.
std::vector<std::string> FindIssueKeys(std::string_view text);

// GitLab references in `text`: "#123" (issues) and "!45" (merge requests) of the same
// project, in order of first appearance, without duplicates.
std::vector<int64_t> FindGitlabIssueRefs(std::string_view text);
std::vector<int64_t> FindGitlabMergeRequestRefs(std::string_view text);

}  // namespace worklog::domain

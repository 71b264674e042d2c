#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace worklog::domain {

// Jira-style keys ([A-Z][A-Z0-9_]+-[0-9]+, e.g. "PROJ-7") in `text`, in order of first
// appearance, without duplicates. Linear in the size of `text`; never fails.
// What counts as a key (decided here, the one place that decides):
//  - upper case only, as Jira's smart commits require: "proj-7" and "Proj-7" are not keys
//    (and neither are "x86-64", "utf-8", "release-2");
//  - the key stands alone: not glued to a word before it ("xPROJ-7", "ABC-PROJ-7") or after
//    it ("PROJ-7x", "PROJ-7-2", "CVE-2024-1234"); "-" before it is fine ("feature-PROJ-7"),
//    and so is any punctuation ("[PROJ-7]", "PROJ-7:", ".../browse/PROJ-7" in a URL);
//  - names of standards are not projects: UTF, ISO, SHA, CVE, GPL, LGPL, AGPL ("UTF-8");
//  - at most 255 characters, like ValidateIssueKey.
std::vector<std::string> FindIssueKeys(std::string_view text);

// GitLab references in `text`: "#123" (issues) and "!45" (merge requests) of the same
// project, in order of first appearance, without duplicates. Not references: "group/p#12"
// and "p#12" (another project), "&#123;" (HTML), "#12abc", "#0".
std::vector<int64_t> FindGitlabIssueRefs(std::string_view text);
std::vector<int64_t> FindGitlabMergeRequestRefs(std::string_view text);

// Whether `text` references any GitLab issue, this project's ("#12") or another's
// ("group/project#12"), as GitLab's commit time marker requires.
bool MentionsGitlabIssue(std::string_view text);

}  // namespace worklog::domain

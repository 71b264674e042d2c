#include "domain/issue_keys.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <re2/re2.h>

namespace worklog::domain {
namespace {

// Same bound as ValidateIssueKey (worklog.h), so every key found here is a valid worklog key.
constexpr std::size_t kMaxIssueKeyLength = 255;

// Upper-case words that look like project keys but, followed by "-<number>", name standards
// and algorithms rather than issues ("UTF-8", "ISO-8601", "SHA-256", "CVE-2024", "GPL-3").
constexpr std::array<std::string_view, 7> kNotProjects = {"UTF", "ISO",  "SHA", "CVE",
                                                          "GPL", "LGPL", "AGPL"};

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsUpper(c) || IsDigit(c) || (c >= 'a' && c <= 'z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // part of a UTF-8 letter: inside a word
}

const RE2& IssueKeyPattern() {
  static const RE2 pattern("([A-Z][A-Z0-9_]+)-[0-9]+");
  return pattern;
}

// "#123" (issues) and "!45" (merge requests).
const RE2& ReferencePattern(char sigil) {
  static const RE2 issue("#([0-9]+)");
  static const RE2 merge_request("!([0-9]+)");
  return sigil == '#' ? issue : merge_request;
}

// Whether the key text[begin, end) stands on its own: not glued to a word before it
// ("xPROJ-7", "ABC-PROJ-7") and not continued after it ("PROJ-7x", "CVE-2024-1234").
bool StandsAlone(std::string_view text, std::size_t begin, std::size_t end) {
  if (begin > 0) {
    const char before = text[begin - 1];
    if (IsWordChar(before)) {
      return false;
    }
    // "feature-PROJ-7" is a key in a branch name; "ABC-PROJ-7" and "1-PROJ-7" are not.
    if (before == '-' && begin > 1 && (IsUpper(text[begin - 2]) || IsDigit(text[begin - 2]))) {
      return false;
    }
  }
  if (end < text.size()) {
    const char after = text[end];
    if (IsWordChar(after)) {
      return false;
    }
    if (after == '-' && end + 1 < text.size() && IsDigit(text[end + 1])) {
      return false;
    }
  }
  return true;
}

// References to issues or merge requests; `same_project_only` skips "group/project#12".
std::vector<int64_t> FindReferences(std::string_view text, char sigil, bool same_project_only) {
  std::vector<int64_t> refs;
  const RE2& pattern = ReferencePattern(sigil);
  std::array<re2::StringPiece, 2> match;
  std::size_t pos = 0;
  while (pos < text.size() &&
         pattern.Match(re2::StringPiece(text.data(), text.size()), pos, text.size(),
                       RE2::UNANCHORED, match.data(), static_cast<int>(match.size()))) {
    const auto begin = static_cast<std::size_t>(match[0].data() - text.data());
    const std::size_t end = begin + match[0].size();
    pos = end;
    bool accept = true;
    if (begin > 0) {
      const char before = text[begin - 1];
      if (before == '&' || before == '#' || before == '!') {
        accept = false;  // "&#123;" is an HTML entity; "##1" and "!#1" are not references
      } else if (IsWordChar(before) || before == '/' || before == '.' || before == '-') {
        // "group/project#12" or "project#12": GitLab's reference to another project.
        accept = !same_project_only;
      }
    }
    if (end < text.size() && IsWordChar(text[end])) {
      accept = false;  // "#12abc", "#1st"
    }
    if (!accept) {
      continue;
    }
    int64_t number = 0;
    const std::string_view digits(match[1].data(), match[1].size());
    const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (parsed.ec != std::errc() || number <= 0) {
      continue;  // too large for an id, or "#0"
    }
    if (std::find(refs.begin(), refs.end(), number) == refs.end()) {
      refs.push_back(number);
    }
  }
  return refs;
}

}  // namespace

std::vector<std::string> FindIssueKeys(std::string_view text) {
  std::vector<std::string> keys;
  if (text.find('-') == std::string_view::npos) {
    return keys;  // most commit messages: no key possible, skip the regex engine
  }
  const RE2& pattern = IssueKeyPattern();
  std::array<re2::StringPiece, 2> match;
  std::size_t pos = 0;
  while (pos < text.size() &&
         pattern.Match(re2::StringPiece(text.data(), text.size()), pos, text.size(),
                       RE2::UNANCHORED, match.data(), static_cast<int>(match.size()))) {
    const auto begin = static_cast<std::size_t>(match[0].data() - text.data());
    const std::size_t end = begin + match[0].size();
    // A rejected match is skipped whole: any key starting inside it is glued to its start.
    pos = end;
    const std::string_view project(match[1].data(), match[1].size());
    if (!StandsAlone(text, begin, end) || match[0].size() > kMaxIssueKeyLength ||
        std::find(kNotProjects.begin(), kNotProjects.end(), project) != kNotProjects.end()) {
      continue;
    }
    std::string key(match[0].data(), match[0].size());
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

std::vector<int64_t> FindGitlabIssueRefs(std::string_view text) {
  return FindReferences(text, '#', /*same_project_only=*/true);
}

std::vector<int64_t> FindGitlabMergeRequestRefs(std::string_view text) {
  return FindReferences(text, '!', /*same_project_only=*/true);
}

bool MentionsGitlabIssue(std::string_view text) {
  return !FindReferences(text, '#', /*same_project_only=*/false).empty();
}

}  // namespace worklog::domain

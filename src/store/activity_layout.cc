#include "store/activity_layout.h"

#include <charconv>

#include <fmt/format.h>

namespace worklog::store {
namespace {

constexpr std::size_t kShaHexDigits = 40;
constexpr std::string_view kCommitKeyPrefix = "commit:";
constexpr std::string_view kCommitUrlRest = "commit/";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

}  // namespace

bool IsLowerHexSha(std::string_view sha) {
  if (sha.size() != kShaHexDigits) {
    return false;
  }
  for (const char c : sha) {
    if (HexDigit(c) < 0) {
      return false;
    }
  }
  return true;
}

std::string HexToBytes(std::string_view hex) {
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes[i / 2] = static_cast<char>(HexDigit(hex[i]) * 16 + HexDigit(hex[i + 1]));
  }
  return bytes;
}

std::optional<CommitKeyParts> ParseDerivableCommitKey(std::string_view key) {
  if (!key.starts_with(kCommitKeyPrefix)) {
    return std::nullopt;
  }
  key.remove_prefix(kCommitKeyPrefix.size());
  const std::size_t colon = key.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view id_text = key.substr(0, colon);
  const std::string_view sha = key.substr(colon + 1);
  int64_t project_id = 0;
  const auto parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), project_id);
  if (parsed.ec != std::errc{} || parsed.ptr != id_text.data() + id_text.size() ||
      !IsLowerHexSha(sha) || fmt::format("{}", project_id) != id_text) {
    return std::nullopt;  // Not the form a derived key is read back in ("007", "+7", ...).
  }
  return CommitKeyParts{.project_id = project_id, .sha_hex = std::string(sha)};
}

StoredActivity ToStored(const domain::Activity& activity) {
  StoredActivity stored;
  stored.full_key = activity.key;
  if (IsLowerHexSha(activity.sha)) {
    stored.sha_hex = activity.sha;
  }
  const auto commit_key = ParseDerivableCommitKey(activity.key);
  if (stored.sha_hex && commit_key && commit_key->project_id == activity.project_id &&
      commit_key->sha_hex == activity.sha) {
    stored.key = std::nullopt;
  } else {
    stored.key = activity.key;
    stored.commit_key_of_other = commit_key;
  }

  if (activity.body.starts_with(activity.title)) {
    if (activity.body.size() > activity.title.size()) {
      stored.body_tail = activity.body.substr(activity.title.size());
    }
  } else {
    stored.body = activity.body;
  }

  stored.url = activity.url;
  if (!activity.project_path.empty()) {
    const std::string marker = fmt::format("/{}/-/", activity.project_path);
    const std::size_t at = activity.url.find(marker);
    if (at != std::string::npos) {
      const std::size_t rest = at + marker.size();
      stored.url_prefix = activity.url.substr(0, rest);
      const std::string_view tail = std::string_view{activity.url}.substr(rest);
      if (tail.starts_with(kCommitUrlRest) && tail.substr(kCommitUrlRest.size()) == activity.sha) {
        stored.url = std::nullopt;
      } else {
        stored.url = std::string(tail);
      }
    }
  }
  return stored;
}

}  // namespace worklog::store

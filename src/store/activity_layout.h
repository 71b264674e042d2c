#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/activity.h"

// How an activity's row is stored (migrations/*/0032_compact_activities.sql): a field equal
// to what the row's other columns derive is stored NULL and derived again on read, so every
// activity reads back exactly as it was written. Shared by the SQLite and PostgreSQL stores;
// the read side is SQL in each (see their select lists).
namespace worklog::store {

// A commit key in its derivable form: "commit:<project_id>:<40 lowercase hex digits>".
struct CommitKeyParts {
  int64_t project_id = 0;
  std::string sha_hex;  // 40 lowercase hex digits
};

struct StoredActivity {
  // NULL (nullopt) when it is the commit key of project_id and sha (see DerivedKey).
  std::optional<std::string> key;
  // The key as read back: `key`, or the derived commit key. Rows are sorted by it.
  std::string full_key;
  // The sha as 40 lowercase hex digits, stored as 20 bytes; nullopt: kept as text.
  std::optional<std::string> sha_hex;
  // NULL when the body starts with the title; then body_tail is what follows (nullopt:
  // nothing).
  std::optional<std::string> body;
  std::optional<std::string> body_tail;
  // The url up to and including "/<project_path>/-/", when it has that form; then `url`
  // is the rest, nullopt when that rest is "commit/<sha>". Without a prefix, the url.
  std::optional<std::string> url_prefix;
  std::optional<std::string> url;
  // An explicit key that has the derivable commit form of another row's project and sha:
  // the insert checks no row stores that commit without its key.
  std::optional<CommitKeyParts> commit_key_of_other;
};

bool IsLowerHexSha(std::string_view sha);

// The parts of `key` when it is exactly "commit:<project_id>:<40 lowercase hex>" as
// domain::CommitKey writes it.
std::optional<CommitKeyParts> ParseDerivableCommitKey(std::string_view key);

StoredActivity ToStored(const domain::Activity& activity);

// The bytes of 40 lowercase hex digits (IsLowerHexSha), 20 of them.
std::string HexToBytes(std::string_view hex);

}  // namespace worklog::store

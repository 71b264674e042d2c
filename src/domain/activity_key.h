#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

// Stable natural keys for activities (DESIGN.md §2): the same thing seen twice — a webhook
// and the Events API poll, a commit pushed to two branches, a redelivered webhook — gets the
// same key and is stored once.
//
//   commit    "commit:<project_id>:<sha>"             sha lowercased; same commit on two
//                                                     branches of one project = one activity
//   push      "push:<project_id>:<ref>:<after_sha>"   only pushes without commits (a new
//                                                     branch); ref without refs/heads/
//   note      "note:<note_id>"                        note ids are global; both sources carry
//                                                     them (webhook object_attributes.id,
//                                                     Events API note.id); an edit keeps the key
//   MR/issue  "mr:<project_id>:<iid>:<action>[...]"   see below
//             "issue:<project_id>:<iid>:<action>[...]"
//
// Why MR and issue action keys are not simply "<action>:<occurred_at seconds>": the two
// sources do not report the same instant for the same action. A webhook carries the
// target's `updated_at` (written in the same transaction as the change, but not the Event
// row), the Events API only the Event row's `created_at`; they differ by a fraction of a
// second to a few seconds, so whole seconds do not converge. An approval does not touch the
// MR at all: the webhook's only time is the MR's last `updated_at`, possibly hours old, and
// the receiver's arrival time is the better estimate. So the time part depends on the
// action:
//
//  - once per target, reported by both sources: "opened", "merged" -> no time part at all
//    ("mr:1:7:merged"). The Events API reports a reopen as "opened" too; such a reopen seen
//    only by the poll folds into the open (kept once, never doubled).
//  - repeatable, reported by both sources, or without a payload time of its own: "closed",
//    "approved", "unapproved" -> actor and a kActionKeyWindow bucket of the time
//    ("mr:1:7:approved:42:1700000400"). Two sightings of one action land in different
//    buckets only when they straddle a bucket edge (~1 % for a 5 s skew); the same person
//    doing the same action on the same target twice within one bucket is kept once.
//  - repeatable, reported only by webhooks, with the payload's own time: "updated",
//    "reopened" -> actor and the exact second ("mr:1:7:updated:42:1700000123"); a
//    redelivery carries the same payload, so the same second.
//
// Unix seconds in keys; actor "-" when the payload names none.
namespace worklog::domain {

inline constexpr std::chrono::minutes kActionKeyWindow{10};

std::string CommitKey(int64_t project_id, std::string_view sha);
std::string PushKey(int64_t project_id, std::string_view ref, std::string_view after_sha);
std::string NoteKey(int64_t note_id);

enum class ActionTarget { kMergeRequest, kIssue };

// `action` is the normalized action name ("opened", "merged", "closed", "reopened",
// "updated", "approved", "unapproved"); `occurred_at` the activity's time.
std::string TargetActionKey(ActionTarget target, int64_t project_id, int64_t iid,
                            std::string_view action, std::optional<int64_t> actor_id,
                            TimePoint occurred_at);

}  // namespace worklog::domain

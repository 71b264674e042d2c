#include "gitlab/normalize.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace worklog::gitlab {
namespace {

using domain::Activity;
using domain::ActivityKind;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TimePoint Utc(std::string_view text) {
  auto at = ParseGitlabTime("test", text);
  EXPECT_TRUE(at.has_value()) << text;
  return at.value_or(TimePoint{});
}

NormalizeOptions ReceivedAt(std::string_view text) {
  NormalizeOptions options;
  options.received_at = Utc(text);
  return options;
}

json Project() {
  return {{"id", 15},
          {"name", "Diaspora"},
          {"path_with_namespace", "mike/diaspora"},
          {"web_url", "https://gitlab.example.com/mike/diaspora"}};
}

json PushedCommit(std::string sha, std::string message, std::string timestamp, std::string email) {
  return {{"id", std::move(sha)},
          {"message", std::move(message)},
          {"timestamp", std::move(timestamp)},
          {"url", "https://gitlab.example.com/mike/diaspora/-/commit/x"},
          {"author", {{"name", "Jordi Mallach"}, {"email", std::move(email)}}}};
}

json Push(json commits, int total) {
  return {{"object_kind", "push"},
          {"event_name", "push"},
          {"before", "95790bf891e76fee5e1747ab589903a6a1f80f22"},
          {"after", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"},
          {"ref", "refs/heads/feature/PROJ-9-login"},
          {"user_id", 4},
          {"user_name", "John Smith"},
          {"user_email", "john@example.com"},
          {"project_id", 15},
          {"project", Project()},
          {"commits", std::move(commits)},
          {"total_commits_count", total}};
}

json MergeRequest(std::string action, std::string title) {
  return {{"object_kind", "merge_request"},
          {"event_type", "merge_request"},
          {"user", {{"id", 42}, {"name", "Ada Reviewer"}, {"email", "Ada@Example.com"}}},
          {"project", Project()},
          {"object_attributes",
           {{"id", 99},
            {"iid", 7},
            {"title", std::move(title)},
            {"description", ""},
            {"source_branch", "feature/PROJ-9-login"},
            {"created_at", "2024-03-01 09:00:00 UTC"},
            {"updated_at", "2024-03-01 10:00:00 UTC"},
            {"url", "https://gitlab.example.com/mike/diaspora/-/merge_requests/7"},
            {"action", std::move(action)}}}};
}

Result<Normalized> Webhook(std::string_view event, const json& payload,
                           const NormalizeOptions& options = {}) {
  return NormalizeWebhook(event, payload.dump(), options);
}

// --- push --------------------------------------------------------------------------------

TEST(NormalizePush, EachCommitBecomesACommitActivityOfThePusher) {
  const auto out = Webhook(
      "Push Hook",
      Push({PushedCommit("B6568DB1BC1DCD7F8B4D5A946B0B91F9DACD7327", "PROJ-7 fix the login\n\nbody",
                         "2011-12-12T14:27:31+02:00", "Jordi@SoftCatala.org"),
            PushedCommit("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "fixed readme\n",
                         "2012-01-03T23:36:29+02:00", "gitlabdev@dv6700.(none)")},
           2));
  ASSERT_TRUE(out.has_value()) << out.error().message;
  ASSERT_EQ(out->activities.size(), 2U);
  const Activity& first = out->activities[0];
  EXPECT_EQ(first.key, "commit:15:b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327");
  EXPECT_EQ(first.kind, ActivityKind::kCommit);
  EXPECT_EQ(first.sha, "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327");
  EXPECT_EQ(first.author_email, "jordi@softcatala.org");
  EXPECT_EQ(first.author_name, "Jordi Mallach");
  EXPECT_EQ(first.gitlab_user_id, 4);
  EXPECT_EQ(first.ref, "feature/PROJ-9-login");
  EXPECT_EQ(first.title, "PROJ-7 fix the login");
  EXPECT_EQ(first.project_path, "mike/diaspora");
  EXPECT_EQ(FormatRfc3339(first.occurred_at), "2011-12-12T12:27:31Z");
  EXPECT_FALSE(out->needs_commits.has_value());
}

TEST(NormalizePush, IssueKeysComeFromTheMessageElseTheBranch) {
  const auto out =
      Webhook("Push Hook",
              Push({PushedCommit("a1", "PROJ-7 and OPS-2: fix", "2024-01-01T10:00:00Z", "a@b.c"),
                    PushedCommit("a2", "no key here", "2024-01-01T10:05:00Z", "a@b.c")},
                   2));
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(out->activities[0].issue_keys, ElementsAre("PROJ-7", "OPS-2"));
  EXPECT_THAT(out->activities[1].issue_keys, ElementsAre("PROJ-9"));
}

TEST(NormalizePush, SmartCommitTimeIsReported) {
  const auto out = Webhook(
      "Push Hook",
      Push({PushedCommit("a1", "PROJ-7 #time 1h 30m fixed login", "2024-01-01T10:00:00Z", "a@b.c"),
            PushedCommit("a2", "Fix login #123 @2h", "2024-01-01T10:05:00Z", "a@b.c"),
            PushedCommit("a3", "plain", "2024-01-01T10:06:00Z", "a@b.c")},
           3));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->activities[0].time_spent_seconds, 5400);
  EXPECT_EQ(out->activities[1].time_spent_seconds, 7200);
  EXPECT_FALSE(out->activities[2].time_spent_seconds.has_value());
}

TEST(NormalizePush, RedactedAuthorEmailReadsAsUnknown) {
  const auto out = Webhook(
      "Push Hook", Push({PushedCommit("a1", "x", "2024-01-01T10:00:00Z", "[REDACTED]")}, 1));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->activities[0].author_email, "");
}

TEST(NormalizePush, MoreThanTwentyCommitsAsksTheCallerToFetchTheRest) {
  json commits = json::array();
  for (int i = 0; i < 20; ++i) {
    commits.push_back(PushedCommit("c" + std::to_string(i), "m", "2024-01-01T10:00:00Z", "a@b.c"));
  }
  const auto out = Webhook("Push Hook", Push(commits, 25));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->activities.size(), 20U);
  ASSERT_TRUE(out->needs_commits.has_value());
  EXPECT_EQ(out->needs_commits->project.id, 15);
  EXPECT_EQ(out->needs_commits->ref, "feature/PROJ-9-login");
  EXPECT_EQ(out->needs_commits->before, "95790bf891e76fee5e1747ab589903a6a1f80f22");
  EXPECT_EQ(out->needs_commits->after, "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  EXPECT_EQ(out->needs_commits->total_commits, 25);
  EXPECT_EQ(out->needs_commits->pusher_id, 4);
}

TEST(NormalizePush, NewBranchWithoutCommitsIsOnePushAtArrival) {
  json payload = Push(json::array(), 0);
  payload["before"] = "0000000000000000000000000000000000000000";
  const auto out = Webhook("Push Hook", payload, ReceivedAt("2024-03-01T08:00:00Z"));
  ASSERT_TRUE(out.has_value()) << out.error().message;
  ASSERT_EQ(out->activities.size(), 1U);
  const Activity& push = out->activities[0];
  EXPECT_EQ(push.kind, ActivityKind::kPush);
  EXPECT_EQ(push.key, "push:15:feature/PROJ-9-login:da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  EXPECT_EQ(push.title, "Created branch feature/PROJ-9-login");
  EXPECT_EQ(push.author_email, "john@example.com");
  EXPECT_EQ(FormatRfc3339(push.occurred_at), "2024-03-01T08:00:00Z");
  EXPECT_THAT(push.issue_keys, ElementsAre("PROJ-9"));
}

TEST(NormalizePush, PushWithoutCommitsNeedsAnArrivalTime) {
  const auto out = Webhook("Push Hook", Push(json::array(), 0));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().field, "received_at");
}

TEST(NormalizePush, DeletedBranchRecordsNothing) {
  json payload = Push(json::array(), 0);
  payload["after"] = "0000000000000000000000000000000000000000";
  const auto out = Webhook("Push Hook", payload);
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(out->activities, IsEmpty());
}

TEST(NormalizePush, MissingCommitIdIsNamed) {
  json commits = {PushedCommit("a1", "x", "2024-01-01T10:00:00Z", "a@b.c"),
                  PushedCommit("a2", "y", "2024-01-01T10:00:00Z", "a@b.c")};
  commits[1].erase("id");
  const auto out = Webhook("Push Hook", Push(commits, 2));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().field, "commits[1].id");
  EXPECT_EQ(out.error().message, "missing field commits[1].id");
}

TEST(NormalizePush, UnreadableTimestampIsNamed) {
  const auto out =
      Webhook("Push Hook", Push({PushedCommit("a1", "x", "yesterday at noon", "a@b.c")}, 1));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().field, "commits[0].timestamp");
  EXPECT_THAT(out.error().message, HasSubstr("yesterday at noon"));
}

// --- events and bad input ----------------------------------------------------------------

TEST(NormalizeWebhook, UnknownEventIsAnError) {
  const auto out = NormalizeWebhook("Foo Hook", "{}");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().field, "X-Gitlab-Event");
  EXPECT_EQ(out.error().message, "unknown event \"Foo Hook\"");
}

TEST(NormalizeWebhook, KnownEventsWorklogDoesNotUseGiveNoActivities) {
  for (const char* event : {"Pipeline Hook", "Tag Push Hook", "Job Hook", "Wiki Page Hook"}) {
    const auto out = NormalizeWebhook(event, R"({"object_kind":"pipeline"})");
    ASSERT_TRUE(out.has_value()) << event;
    EXPECT_THAT(out->activities, IsEmpty()) << event;
  }
}

TEST(NormalizeWebhook, InvalidJsonNamesTheByte) {
  const auto out = NormalizeWebhook("Push Hook", R"({"ref": tru})");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().field, "body");
  EXPECT_THAT(out.error().message, HasSubstr("invalid JSON at byte 12"));
}

TEST(NormalizeWebhook, DeepNestingIsRejected) {
  std::string body = R"({"a":)";
  for (int i = 0; i < 100000; ++i) {
    body += '[';
  }
  const auto out = NormalizeWebhook("Push Hook", body);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message, "JSON nested deeper than 64 levels");
}

TEST(NormalizeWebhook, SixtyFourLevelsAreFine) {
  std::string body = R"({"object_kind":"pipeline","a":)";
  for (int i = 0; i < 63; ++i) {
    body += '[';
  }
  for (int i = 0; i < 63; ++i) {
    body += ']';
  }
  body += '}';
  EXPECT_TRUE(NormalizeWebhook("Pipeline Hook", body).has_value());
}

TEST(NormalizeWebhook, OversizedBodyIsRejected) {
  NormalizeOptions options;
  options.max_bytes = 10;
  const auto out = NormalizeWebhook("Push Hook", R"({"ref":"refs/heads/main"})", options);
  ASSERT_FALSE(out.has_value());
  EXPECT_THAT(out.error().message, HasSubstr("more than the limit of 10 bytes"));
}

TEST(NormalizeWebhook, BodyMustBeAnObject) {
  const auto out = NormalizeWebhook("Push Hook", "[1,2]");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message, "must be a JSON object");
}

TEST(NormalizeWebhook, ObjectKindContradictingTheHeaderIsAnError) {
  const auto out = Webhook("Push Hook", MergeRequest("open", "x"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().field, "object_kind");
}

// --- merge requests ----------------------------------------------------------------------

TEST(NormalizeMergeRequest, OpenIsAMergeRequestActivityOfTheActor) {
  const auto out = Webhook("Merge Request Hook", MergeRequest("open", "PROJ-3: new login"));
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->activities.size(), 1U);
  const Activity& mr = out->activities[0];
  EXPECT_EQ(mr.key, "mr:15:7:opened");
  EXPECT_EQ(mr.kind, ActivityKind::kMergeRequest);
  EXPECT_EQ(mr.action, "opened");
  EXPECT_EQ(mr.gitlab_user_id, 42);
  EXPECT_EQ(mr.author_email, "ada@example.com");
  EXPECT_EQ(FormatRfc3339(mr.occurred_at), "2024-03-01T09:00:00Z");
  EXPECT_EQ(mr.ref, "feature/PROJ-9-login");
  // Own text (the title) before the branch.
  EXPECT_THAT(mr.issue_keys, ElementsAre("PROJ-3"));
}

TEST(NormalizeMergeRequest, WithoutAKeyInTheTextTheBranchGivesIt) {
  const auto out = Webhook("Merge Request Hook", MergeRequest("update", "new login"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->activities[0].action, "updated");
  EXPECT_EQ(out->activities[0].key, "mr:15:7:updated:42:1709287200");
  EXPECT_THAT(out->activities[0].issue_keys, ElementsAre("PROJ-9"));
}

TEST(NormalizeMergeRequest, ApprovalAndApprovedAreOneReviewDatedOnArrival) {
  const auto options = ReceivedAt("2024-03-01T15:42:10Z");
  const auto one = Webhook("Merge Request Hook", MergeRequest("approval", "x"), options);
  const auto all = Webhook("Merge Request Hook", MergeRequest("approved", "x"), options);
  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(one->activities[0].kind, ActivityKind::kReview);
  EXPECT_EQ(one->activities[0].action, "approved");
  // The MR's updated_at (10:00) says nothing about when it was approved.
  EXPECT_EQ(FormatRfc3339(one->activities[0].occurred_at), "2024-03-01T15:42:10Z");
  EXPECT_EQ(one->activities[0].key, all->activities[0].key);
}

TEST(NormalizeMergeRequest, MergeCloseReopenUnapproveAreRecorded) {
  const auto merged = Webhook("Merge Request Hook", MergeRequest("merge", "x"));
  const auto closed = Webhook("Merge Request Hook", MergeRequest("close", "x"));
  const auto reopened = Webhook("Merge Request Hook", MergeRequest("reopen", "x"));
  const auto unapproved = Webhook("Merge Request Hook", MergeRequest("unapproval", "x"));
  ASSERT_TRUE(merged && closed && reopened && unapproved);
  EXPECT_EQ(merged->activities[0].key, "mr:15:7:merged");
  EXPECT_EQ(closed->activities[0].action, "closed");
  EXPECT_EQ(reopened->activities[0].action, "reopened");
  EXPECT_EQ(unapproved->activities[0].action, "unapproved");
  EXPECT_EQ(unapproved->activities[0].kind, ActivityKind::kReview);
}

TEST(NormalizeMergeRequest, ActionsWorklogDoesNotKnowAreIgnored) {
  const auto out = Webhook("Merge Request Hook", MergeRequest("some_future_action", "x"));
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(out->activities, IsEmpty());
}

TEST(NormalizeMergeRequest, MissingIidIsNamed) {
  json payload = MergeRequest("open", "x");
  payload["object_attributes"].erase("iid");
  const auto out = Webhook("Merge Request Hook", payload);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message, "missing field object_attributes.iid");
}

// --- notes and issues --------------------------------------------------------------------

json Note(std::string noteable_type, std::string body) {
  json payload = {
      {"object_kind", "note"},
      {"user", {{"id", 42}, {"name", "Ada Reviewer"}, {"email", "ada@example.com"}}},
      {"project_id", 15},
      {"project", Project()},
      {"object_attributes",
       {{"id", 1244},
        {"note", std::move(body)},
        {"noteable_type", noteable_type},
        {"created_at", "2015-05-17 18:21:36 UTC"},
        {"system", false},
        {"url", "https://gitlab.example.com/mike/diaspora/-/merge_requests/1#note_1244"}}}};
  if (noteable_type == "MergeRequest") {
    payload["merge_request"] = {{"iid", 1},
                                {"title", "OPS-4 Tempora et eos"},
                                {"description", ""},
                                {"source_branch", "feature/PROJ-9-login"}};
  } else if (noteable_type == "Commit") {
    payload["commit"] = {{"id", "cfe32cf6"}, {"message", "DOC-1 Add submodule"}};
  }
  return payload;
}

TEST(NormalizeNote, CommentOnAMergeRequestIsAReview) {
  const auto out = Webhook("Note Hook", Note("MergeRequest", "This MR needs work.\nMore."));
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->activities.size(), 1U);
  const Activity& note = out->activities[0];
  EXPECT_EQ(note.key, "note:1244");
  EXPECT_EQ(note.kind, ActivityKind::kReview);
  EXPECT_EQ(note.action, "commented");
  EXPECT_EQ(note.title, "This MR needs work.");
  EXPECT_EQ(FormatRfc3339(note.occurred_at), "2015-05-17T18:21:36Z");
  // No key in the comment: the MR's branch comes before the MR's title.
  EXPECT_THAT(note.issue_keys, ElementsAre("PROJ-9"));
}

TEST(NormalizeNote, KeyInTheCommentWins) {
  const auto out = Webhook("Note Hook", Note("MergeRequest", "see ABC-12"));
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(out->activities[0].issue_keys, ElementsAre("ABC-12"));
}

TEST(NormalizeNote, CommentOnACommitIsACommentKeyedByTheCommit) {
  const auto out = Webhook("Note Hook", Note("Commit", "How does this work?"));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->activities[0].kind, ActivityKind::kComment);
  EXPECT_THAT(out->activities[0].issue_keys, ElementsAre("DOC-1"));
}

TEST(NormalizeNote, SystemNotesAreNotWork) {
  json payload = Note("MergeRequest", "added 1 commit");
  payload["object_attributes"]["system"] = true;
  const auto out = Webhook("Note Hook", payload);
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(out->activities, IsEmpty());
}

TEST(NormalizeIssue, UpdateIsAnIssueActivityKeyedToTheSecond) {
  const json payload = {{"object_kind", "issue"},
                        {"user", {{"id", 42}, {"name", "Ada"}, {"email", "ada@example.com"}}},
                        {"project", Project()},
                        {"object_attributes",
                         {{"iid", 23},
                          {"title", "PROJ-5 New API"},
                          {"description", "Create new API"},
                          {"created_at", "2013-12-03T17:15:43Z"},
                          {"updated_at", "2013-12-03T17:23:34.123Z"},
                          {"url", "https://gitlab.example.com/mike/diaspora/-/issues/23"},
                          {"action", "update"}}}};
  const auto out = Webhook("Issue Hook", payload);
  ASSERT_TRUE(out.has_value());
  const Activity& issue = out->activities[0];
  EXPECT_EQ(issue.kind, ActivityKind::kIssue);
  EXPECT_EQ(issue.action, "updated");
  EXPECT_EQ(issue.key, "issue:15:23:updated:42:1386091414");
  EXPECT_EQ(FormatRfc3339(issue.occurred_at), "2013-12-03T17:23:34.123Z");
  EXPECT_THAT(issue.issue_keys, ElementsAre("PROJ-5"));
}

// --- the Events API and the commits API converge with webhooks ---------------------------

ProjectRef DiasporaRef() {
  return {.id = 15,
          .path_with_namespace = "mike/diaspora",
          .web_url = "https://gitlab.example.com/mike/diaspora"};
}

json Event(std::string action_name, std::string target_type, std::string created_at) {
  json event = {{"id", 1},
                {"project_id", 15},
                {"action_name", std::move(action_name)},
                {"author_id", 42},
                {"author", {{"id", 42}, {"username", "ada"}, {"name", "Ada Reviewer"}}},
                {"created_at", std::move(created_at)}};
  if (!target_type.empty()) {
    event["target_type"] = std::move(target_type);
    event["target_iid"] = 7;
    event["target_title"] = "PROJ-3: new login";
  }
  return event;
}

TEST(NormalizeEvents, MergeAndApprovalConvergeWithTheWebhook) {
  const json page = {Event("accepted", "MergeRequest", "2024-03-01T10:00:01.512Z"),
                     Event("approved", "MergeRequest", "2024-03-01T15:42:11.920Z")};
  const auto events = NormalizeEvents(DiasporaRef(), page.dump());
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->activities.size(), 2U);
  const auto merged = Webhook("Merge Request Hook", MergeRequest("merge", "x"));
  const auto approved = Webhook("Merge Request Hook", MergeRequest("approval", "x"),
                                ReceivedAt("2024-03-01T15:42:13Z"));
  ASSERT_TRUE(merged && approved);
  EXPECT_EQ(events->activities[0].key, merged->activities[0].key);
  EXPECT_EQ(events->activities[0].action, "merged");
  EXPECT_EQ(events->activities[0].url,
            "https://gitlab.example.com/mike/diaspora/-/merge_requests/7");
  EXPECT_EQ(events->activities[1].key, approved->activities[0].key);
  EXPECT_EQ(events->activities[1].kind, ActivityKind::kReview);
}

TEST(NormalizeEvents, NoteConvergesWithTheWebhook) {
  json event = Event("commented on", "Note", "2015-05-17T18:21:37.100Z");
  event["note"] = {{"id", 1244},
                   {"body", "This MR needs work."},
                   {"created_at", "2015-05-17T18:21:36.000Z"},
                   {"system", false},
                   {"noteable_type", "MergeRequest"},
                   {"noteable_iid", 1}};
  const auto events = NormalizeEvents(DiasporaRef(), json::array({event}).dump());
  const auto webhook = Webhook("Note Hook", Note("MergeRequest", "This MR needs work."));
  ASSERT_TRUE(events && webhook);
  ASSERT_EQ(events->activities.size(), 1U);
  EXPECT_EQ(events->activities[0].key, webhook->activities[0].key);
  EXPECT_EQ(events->activities[0].occurred_at, webhook->activities[0].occurred_at);
  EXPECT_EQ(events->activities[0].url,
            "https://gitlab.example.com/mike/diaspora/-/merge_requests/1#note_1244");
}

TEST(NormalizeEvents, PushWithCommitsAsksForThemAndTheyConverge) {
  json event = Event("pushed to", "", "2024-01-01T10:00:02Z");
  event["push_data"] = {{"commit_count", 2},
                        {"action", "pushed"},
                        {"ref_type", "branch"},
                        {"commit_from", "95790bf891e76fee5e1747ab589903a6a1f80f22"},
                        {"commit_to", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"},
                        {"ref", "feature/PROJ-9-login"},
                        {"commit_title", "fixed readme"}};
  const auto events = NormalizeEvents(DiasporaRef(), json::array({event}).dump());
  ASSERT_TRUE(events.has_value());
  EXPECT_THAT(events->activities, IsEmpty());
  ASSERT_EQ(events->needs_commits.size(), 1U);
  const CommitRange& range = events->needs_commits[0];
  EXPECT_EQ(range.total_commits, 2);
  EXPECT_EQ(range.pusher_id, 42);

  gitlab::Commit api_commit;
  api_commit.id = "B6568DB1";
  api_commit.title = "PROJ-7 fix";
  api_commit.message = "PROJ-7 fix #time 2h";
  api_commit.author_email = "Jordi@SoftCatala.org";
  api_commit.committed_date = Utc("2011-12-12T14:27:31+02:00");
  const auto from_api = CommitActivities(range, std::span(&api_commit, 1));
  const auto from_hook =
      Webhook("Push Hook", Push({PushedCommit("b6568db1", "PROJ-7 fix #time 2h",
                                              "2011-12-12T14:27:31+02:00", "jordi@softcatala.org")},
                                1));
  ASSERT_TRUE(from_hook.has_value());
  ASSERT_EQ(from_api.size(), 1U);
  EXPECT_EQ(from_api[0].key, from_hook->activities[0].key);
  EXPECT_EQ(from_api[0].author_email, from_hook->activities[0].author_email);
  EXPECT_EQ(from_api[0].occurred_at, from_hook->activities[0].occurred_at);
  EXPECT_EQ(from_api[0].time_spent_seconds, 7200);
  EXPECT_EQ(from_api[0].gitlab_user_id, 42);
}

TEST(NormalizeEvents, NewBranchWithoutCommitsConvergesWithTheWebhook) {
  json event = Event("pushed new", "", "2024-03-01T08:00:01Z");
  event["push_data"] = {{"commit_count", 0},
                        {"ref_type", "branch"},
                        {"commit_from", nullptr},
                        {"commit_to", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"},
                        {"ref", "feature/PROJ-9-login"}};
  json payload = Push(json::array(), 0);
  payload["before"] = "0000000000000000000000000000000000000000";
  const auto events = NormalizeEvents(DiasporaRef(), json::array({event}).dump());
  const auto webhook = Webhook("Push Hook", payload, ReceivedAt("2024-03-01T08:00:00Z"));
  ASSERT_TRUE(events && webhook);
  ASSERT_EQ(events->activities.size(), 1U);
  EXPECT_EQ(events->activities[0].key, webhook->activities[0].key);
  EXPECT_EQ(events->activities[0].title, "Created branch feature/PROJ-9-login");
}

TEST(NormalizeEvents, UnusedEventsAreSkippedAndBadOnesReported) {
  json bad = Event("opened", "Issue", "2024-01-01T10:00:00Z");
  bad.erase("target_iid");
  const json page = {Event("joined", "", "2024-01-01T10:00:00Z"), bad,
                     Event("closed", "Issue", "2024-01-01T11:00:00Z"),
                     Event("pushed to", "", "2024-01-01T10:00:00Z")};
  const auto events = NormalizeEvents(DiasporaRef(), page.dump());
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->activities.size(), 1U);
  EXPECT_EQ(events->activities[0].key, "issue:15:7:closed:42:1704106800");
  ASSERT_EQ(events->skipped.size(), 2U);
  EXPECT_EQ(events->skipped[0].field, "events[1].target_iid");
  EXPECT_EQ(events->skipped[1].field, "events[3].push_data");
}

TEST(NormalizeEvents, PageMustBeAnArray) {
  const auto events = NormalizeEvents(DiasporaRef(), R"({"message":"401 Unauthorized"})");
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().field, "events");
}

// --- timestamps --------------------------------------------------------------------------

TEST(GitlabTime, AllThreeFormsReadTheSameInstant) {
  EXPECT_EQ(Utc("2015-05-17 18:08:09 UTC"), Utc("2015-05-17T18:08:09Z"));
  EXPECT_EQ(Utc("2015-05-17T20:08:09+02:00"), Utc("2015-05-17T18:08:09Z"));
  EXPECT_EQ(Utc("2015-05-17 20:08:09 +0200"), Utc("2015-05-17T18:08:09Z"));
  EXPECT_EQ(Utc("2015-05-17T15:08:09-03:00"), Utc("2015-05-17T18:08:09Z"));
  EXPECT_EQ(FormatRfc3339(Utc("2016-01-04T15:31:46.176Z")), "2016-01-04T15:31:46.176Z");
  EXPECT_EQ(FormatRfc3339(Utc("2016-01-04T15:31:46.1234567Z")), "2016-01-04T15:31:46.123456Z");
}

TEST(GitlabTime, MalformedTimestampsAreRejected) {
  for (const char* text :
       {"", "2015-05-17", "2015-13-01T00:00:00Z", "2015-02-30T00:00:00Z", "2015-05-17T24:00:00Z",
        "2015-05-17T18:08:09", "2015-05-17T18:08:09+25:00", "2015-05-17T18:08:09Z trailing",
        "2015-05-17T18:08:09.Z", "not a date at all, really"}) {
    const auto at = ParseGitlabTime("created_at", text);
    EXPECT_FALSE(at.has_value()) << text;
    if (!at) {
      EXPECT_EQ(at.error().field, "created_at");
    }
  }
}

// --- committed fixtures: the Events API page and the webhooks it must agree with ---------

std::string ReadFixture(std::string_view relative) {
  const std::string path =
      std::string(WORKLOG_SOURCE_DIR) + "/tests/fixtures/" + std::string(relative);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ProjectRef BillingRef() {
  return {.id = 42,
          .path_with_namespace = "acme/billing",
          .web_url = "https://gitlab.example.com/acme/billing"};
}

TEST(NormalizeEventsFixture, ProjectEventsPageGivesTheExpectedActivities) {
  const auto page = NormalizeEvents(BillingRef(), ReadFixture("events/project_events.json"));
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_THAT(page->skipped, IsEmpty());
  std::vector<std::string> keys;
  for (const Activity& activity : page->activities) {
    keys.push_back(activity.key);
  }
  // The system note, the tag and "joined" are not work.
  EXPECT_THAT(keys, ElementsAre("mr:42:31:approved:9:1732550400", "note:55501",
                                "push:42:BILL-20-refunds:c5222a07cef7929156a6ebc7ad796d6713800123",
                                "mr:42:31:merged", "issue:42:17:closed:7:1732612200"));
  const Activity& note = page->activities[1];
  EXPECT_EQ(note.kind, ActivityKind::kReview);
  EXPECT_EQ(note.title, "Looks good, but please round before applying VAT.");
  EXPECT_EQ(FormatRfc3339(note.occurred_at), "2024-11-25T16:20:31Z");
  EXPECT_EQ(note.gitlab_user_id, 9);
  EXPECT_EQ(note.author_name, "Alan Turing");
  EXPECT_THAT(page->activities[0].issue_keys, IsEmpty());  // "Draft: VAT on invoices"
  EXPECT_EQ(FormatRfc3339(page->activities[3].occurred_at), "2024-11-26T09:15:44.031Z");
  ASSERT_EQ(page->needs_commits.size(), 1U);
  const CommitRange& push = page->needs_commits[0];
  EXPECT_EQ(push.ref, "feature/BILL-12-vat");
  EXPECT_EQ(push.before, "4b63f5d5d8ee5ed1a7e2a1ad4d0e4ed0c2b53e05");
  EXPECT_EQ(push.after, "2e48598d4ccf74fd533fe9fee09a0ae0a729acc2");
  EXPECT_EQ(push.total_commits, 5);
  EXPECT_EQ(push.pusher_id, 7);
  EXPECT_EQ(push.project.path_with_namespace, "acme/billing");
}

TEST(NormalizeEventsFixture, WebhookFixturesAndThePollStoreEachThingOnce) {
  const auto page = NormalizeEvents(BillingRef(), ReadFixture("events/project_events.json"));
  ASSERT_TRUE(page.has_value());
  const auto approval =
      NormalizeWebhook("Merge Request Hook", ReadFixture("webhooks/merge_request_approval.json"),
                       ReceivedAt("2024-11-25T16:05:30Z"));
  const auto note = NormalizeWebhook("Note Hook", ReadFixture("webhooks/note_merge_request.json"));
  const auto branch = NormalizeWebhook("Push Hook", ReadFixture("webhooks/push_new_branch.json"),
                                       ReceivedAt("2024-11-26T07:00:00Z"));
  ASSERT_TRUE(approval && note && branch);
  EXPECT_EQ(approval->activities.at(0).key, page->activities.at(0).key);
  EXPECT_EQ(note->activities.at(0).key, page->activities.at(1).key);
  EXPECT_EQ(note->activities.at(0).url, page->activities.at(1).url);
  EXPECT_EQ(branch->activities.at(0).key, page->activities.at(2).key);
}

}  // namespace
}  // namespace worklog::gitlab

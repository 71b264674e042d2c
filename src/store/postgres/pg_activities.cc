// Activities on PostgreSQL.
#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

#include "store/activity_layout.h"
#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

// Rows per INSERT statement; a batch larger than this is several statements in one
// transaction.
constexpr std::size_t kRowsPerStatement = 500;

// Row layout: migrations/postgres/0032_compact_activities.sql, store/activity_layout.h.
// The batch's url prefixes are stored first (kInsertUrlPrefixes), so the join finds them.
constexpr std::string_view kInsertUrlPrefixes = R"sql(
  INSERT INTO activity_url_prefixes (prefix)
  SELECT prefix FROM unnest($1::text[]) AS u(prefix) ORDER BY 1
  ON CONFLICT (prefix) DO NOTHING
)sql";

// The whole chunk travels as one JSON document ($1), one round trip. Rows come sorted by
// key, so concurrent batches lock keys in the same order and never deadlock. full_key: the
// key as read back, which a row stored without one must not share with a stored key;
// other_project/other_sha: an explicit key in derivable commit form, which no commit stored
// without a key may have.
constexpr std::string_view kInsertActivities = R"sql(
  INSERT INTO activities (key, kind, action, occurred_at_us, project_id, project_path,
                          gitlab_user_id, author_email, author_name, title, body, body_tail,
                          url_prefix, url, ref, sha, sha_bytes, issue_keys, time_spent_seconds)
  SELECT x.key, x.kind, x.action, x.occurred_at_us, x.project_id, x.project_path,
         x.gitlab_user_id, x.author_email, x.author_name, x.title, x.body, x.body_tail, p.id,
         x.url, x.ref, x.sha, decode(x.sha_hex, 'hex'), x.issue_keys, x.time_spent_seconds
  FROM jsonb_to_recordset($1::jsonb) AS x(
    key text, full_key text, kind text, action text, occurred_at_us bigint, project_id bigint,
    project_path text, gitlab_user_id bigint, author_email text, author_name text, title text,
    body text, body_tail text, url_prefix text, url text, ref text, sha text, sha_hex text,
    issue_keys jsonb, time_spent_seconds bigint, other_project bigint, other_sha text)
  LEFT JOIN activity_url_prefixes p ON p.prefix = x.url_prefix
  WHERE (x.key IS NOT NULL OR NOT EXISTS (SELECT 1 FROM activities o WHERE o.key = x.full_key))
    AND (x.other_project IS NULL
         OR NOT EXISTS (SELECT 1 FROM activities o
                        WHERE o.key IS NULL AND o.project_id = x.other_project
                          AND o.sha_bytes = decode(x.other_sha, 'hex')))
  ORDER BY x.full_key
  ON CONFLICT DO NOTHING
  RETURNING gitlab_user_id, kind, author_email, occurred_at_us
)sql";

// Bumps the feed marks $1 (distinct; migrations/postgres/0030_feed_marks.sql) in order, so
// concurrent batches lock them in the same order. An increment under the row lock: two
// concurrent batches each change the mark, whichever commits first.
constexpr std::string_view kBumpFeedMarks = R"sql(
  INSERT INTO feed_marks (subject, seq)
  SELECT subject, 1 FROM unnest($1::text[]) AS m(subject) ORDER BY subject
  ON CONFLICT (subject) DO UPDATE SET seq = feed_marks.seq + 1
)sql";

// Bumps the day marks ($1[i], $2[i]) (distinct; migrations/postgres/0035_feed_day_marks.sql)
// in order, as kBumpFeedMarks.
constexpr std::string_view kBumpFeedDayMarks = R"sql(
  INSERT INTO feed_day_marks (subject, day, seq)
  SELECT subject, day, 1 FROM unnest($1::text[], $2::bigint[]) AS m(subject, day)
  ORDER BY subject, day
  ON CONFLICT (subject, day) DO UPDATE SET seq = feed_day_marks.seq + 1
)sql";

// $1's day marks of days $2..$3 (see DayMarks): first the global marks ('g'), then the sum
// of the u:/e: marks per UTC day ('a') and the w: mark per start date ('w').
constexpr std::string_view kSelectFeedDayMarks = R"sql(
  SELECT 'g', coalesce((SELECT seq FROM feed_marks WHERE subject = 'identities'), 0),
         coalesce((SELECT seq FROM feed_marks WHERE subject = 'all'), 0)
  UNION ALL
  SELECT 'a', d.day, sum(d.seq)::bigint FROM feed_day_marks d
  WHERE d.subject IN (SELECT 'u:' || i.gitlab_user_id FROM gitlab_identities i
                      WHERE i.user_id = $1::bigint
                      UNION ALL
                      SELECT 'e:' || e.email FROM gitlab_identities i
                      CROSS JOIN LATERAL jsonb_array_elements_text(i.emails) AS e(email)
                      WHERE i.user_id = $1::bigint)
    AND d.day BETWEEN $2::bigint AND $3::bigint
  GROUP BY d.day
  UNION ALL
  SELECT 'w', day, seq FROM feed_day_marks
  WHERE subject = 'w:' || $1::bigint AND day BETWEEN $2::bigint AND $3::bigint
)sql";

// The marks $1's feed depends on, in one row (see FeedStamp). A missing mark is 0.
constexpr std::string_view kSelectFeedStamp = R"sql(
  SELECT coalesce((SELECT seq FROM feed_marks WHERE subject = 'identities'), 0),
         coalesce((SELECT seq FROM feed_marks WHERE subject = 'all'), 0),
         coalesce((SELECT seq FROM feed_marks WHERE subject = 'w:' || $1::bigint), 0),
         coalesce((SELECT m.seq FROM gitlab_identities i
                   JOIN feed_marks m ON m.subject = 'u:' || i.gitlab_user_id
                   WHERE i.user_id = $1::bigint), 0),
         coalesce((SELECT sum(m.seq) FROM gitlab_identities i
                   CROSS JOIN LATERAL jsonb_array_elements_text(i.emails) AS e(email)
                   JOIN feed_marks m ON m.subject = 'e:' || e.email
                   WHERE i.user_id = $1::bigint), 0)::bigint
)sql";

// The columns ReadActivities reads, each derived again where it was stored NULL.
#define ACTIVITY_COLUMNS                                                                     \
  "coalesce(a.key, 'commit:' || a.project_id || ':' || encode(a.sha_bytes, 'hex')) AS key, " \
  "a.kind, a.action, a.occurred_at_us, a.project_id, a.project_path, a.gitlab_user_id, "     \
  "a.author_email, a.author_name, a.title, "                                                 \
  "coalesce(a.body, a.title || coalesce(a.body_tail, '')), "                                 \
  "coalesce(p.prefix, '') || coalesce(a.url, 'commit/' || "                                  \
  "coalesce(encode(a.sha_bytes, 'hex'), a.sha)), "                                           \
  "a.ref, coalesce(encode(a.sha_bytes, 'hex'), a.sha), a.issue_keys::text, "                 \
  "a.time_spent_seconds "

// Two index range scans (actor; commit author), disjoint so UNION ALL needs no dedupe:
// the first leaves out commits authored under one of the user's e-mails, which the
// second returns.
constexpr std::string_view kSelectUserActivities = "SELECT " ACTIVITY_COLUMNS R"sql(
  FROM activities a LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.gitlab_user_id = ANY ($1::bigint[])
    AND a.occurred_at_us >= $4 AND a.occurred_at_us < $5
    AND (a.kind <> 'commit'
         OR NOT (a.author_email = ANY ($2::text[]) OR a.author_email = ANY ($3::text[])
                 OR ($6::boolean AND a.author_email IN (
                       SELECT jsonb_array_elements_text(i.emails) FROM gitlab_identities i))))
  UNION ALL
  SELECT )sql" ACTIVITY_COLUMNS R"sql(
  FROM activities a LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.kind = 'commit' AND a.author_email = ANY ($2::text[])
    AND a.occurred_at_us >= $4 AND a.occurred_at_us < $5
  ORDER BY occurred_at_us, key
)sql";

// $1 every key asked for; $2/$3 the project ids and sha hex of those in derivable commit
// form, found among the rows stored without a key.
constexpr std::string_view kSelectActivitiesByKeys = "SELECT " ACTIVITY_COLUMNS R"sql(
  FROM activities a LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.key = ANY ($1::text[])
  UNION ALL
  SELECT )sql" ACTIVITY_COLUMNS R"sql(
  FROM unnest($2::bigint[], $3::text[]) AS c(project_id, sha_hex)
  JOIN activities a ON a.key IS NULL AND a.project_id = c.project_id
                   AND a.sha_bytes = decode(c.sha_hex, 'hex')
  LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
)sql";

#undef ACTIVITY_COLUMNS

// TRUNCATE is instant on millions of rows, where DELETE would write every one to the WAL.
// The feeds it empties change their stamp ("all").
constexpr std::string_view kDeleteActivities = R"sql(
  TRUNCATE activities;
  INSERT INTO feed_marks (subject, seq) VALUES ('all', 1)
    ON CONFLICT (subject) DO UPDATE SET seq = feed_marks.seq + 1;
)sql";

constexpr std::string_view kCountActivities = "SELECT count(*) FROM activities";

std::string JsonOrNull(const std::optional<std::string>& text) {
  return text ? JsonString(*text) : "null";
}

std::string ActivityJson(const domain::Activity& a, const StoredActivity& row) {
  return fmt::format(
      R"({{"key":{},"full_key":{},"kind":{},"action":{},"occurred_at_us":{},"project_id":{},)"
      R"("project_path":{},"gitlab_user_id":{},"author_email":{},"author_name":{},"title":{},)"
      R"("body":{},"body_tail":{},"url_prefix":{},"url":{},"ref":{},"sha":{},"sha_hex":{},)"
      R"("issue_keys":{},"time_spent_seconds":{},"other_project":{},"other_sha":{}}})",
      JsonOrNull(row.key), JsonString(row.full_key), JsonString(domain::KindName(a.kind)),
      JsonString(a.action), ToMicros(a.occurred_at), a.project_id, JsonString(a.project_path),
      a.gitlab_user_id ? std::to_string(*a.gitlab_user_id) : "null", JsonString(a.author_email),
      JsonString(a.author_name), JsonString(a.title), JsonOrNull(row.body),
      JsonOrNull(row.body_tail), JsonOrNull(row.url_prefix), JsonOrNull(row.url), JsonString(a.ref),
      row.sha_hex ? "null" : JsonString(a.sha), JsonOrNull(row.sha_hex),
      EncodeStringArray(a.issue_keys),
      a.time_spent_seconds ? std::to_string(*a.time_spent_seconds) : "null",
      row.commit_key_of_other ? std::to_string(row.commit_key_of_other->project_id) : "null",
      row.commit_key_of_other ? JsonString(row.commit_key_of_other->sha_hex) : "null");
}

Result<std::vector<domain::Activity>> ReadActivities(const Rows& rows) {
  std::vector<domain::Activity> activities;
  activities.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    domain::Activity activity;
    activity.key = rows.Text(i, 0);
    auto kind = domain::ParseKind("kind", rows.Text(i, 1));
    if (!kind) {
      return Internal(fmt::format("activity {} has an unknown stored kind", activity.key));
    }
    activity.kind = *kind;
    activity.action = rows.Text(i, 2);
    activity.occurred_at = FromMicros(rows.Int(i, 3));
    activity.project_id = rows.Int(i, 4);
    activity.project_path = rows.Text(i, 5);
    activity.gitlab_user_id = rows.OptionalInt(i, 6);
    activity.author_email = rows.Text(i, 7);
    activity.author_name = rows.Text(i, 8);
    activity.title = rows.Text(i, 9);
    activity.body = rows.Text(i, 10);
    activity.url = rows.Text(i, 11);
    activity.ref = rows.Text(i, 12);
    activity.sha = rows.Text(i, 13);
    auto keys = DecodeStringArray(rows.Text(i, 14));
    if (!keys) {
      return tl::unexpected(keys.error());
    }
    activity.issue_keys = std::move(*keys);
    activity.time_spent_seconds = rows.OptionalInt(i, 15);
    activities.push_back(std::move(activity));
  }
  return activities;
}

}  // namespace

Result<int64_t> PgActivities::InsertBatch(const std::vector<domain::Activity>& activities) {
  if (activities.empty()) {
    return 0;
  }
  std::vector<const domain::Activity*> sorted;
  sorted.reserve(activities.size());
  for (const auto& activity : activities) {
    sorted.push_back(&activity);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->key < b->key; });
  std::vector<std::string> chunks;
  std::set<std::string> prefix_set;  // the url prefixes of the batch, stored first
  for (std::size_t start = 0; start < sorted.size(); start += kRowsPerStatement) {
    std::string json = "[";
    const std::size_t end = std::min(sorted.size(), start + kRowsPerStatement);
    for (std::size_t i = start; i < end; ++i) {
      if (i > start) {
        json.push_back(',');
      }
      const StoredActivity row = ToStored(*sorted[i]);
      if (row.url_prefix) {
        prefix_set.insert(*row.url_prefix);
      }
      json += ActivityJson(*sorted[i], row);
    }
    json.push_back(']');
    chunks.push_back(std::move(json));
  }
  const std::vector<std::string> prefixes(prefix_set.begin(), prefix_set.end());
  // Safe to repeat after a lost connection: keys already stored are skipped.
  return store_.pool().Run([&](Connection& db) -> Result<int64_t> {
    auto transaction = Transaction::Begin(db);
    if (!transaction) {
      return tl::unexpected(transaction.error());
    }
    int64_t inserted = 0;
    // The feed marks of what was actually inserted (a skipped duplicate changes no feed).
    std::set<std::string> marks;
    std::set<std::pair<std::string, int64_t>> day_marks;  // and their UTC days
    if (!prefixes.empty()) {
      if (auto stored = db.Exec(kInsertUrlPrefixes, Params().Add(PgTextArray(prefixes))); !stored) {
        return tl::unexpected(stored.error());
      }
    }
    for (const std::string& chunk : chunks) {
      auto rows = db.Exec(kInsertActivities, Params().Add(chunk));
      if (!rows) {
        return tl::unexpected(rows.error());
      }
      inserted += rows->size();
      for (int i = 0; i < rows->size(); ++i) {
        const int64_t day = UtcDayOf(FromMicros(rows->Int(i, 3)));
        if (auto actor = rows->OptionalInt(i, 0)) {
          marks.insert("u:" + std::to_string(*actor));
          day_marks.emplace("u:" + std::to_string(*actor), day);
        }
        if (rows->Text(i, 1) == domain::KindName(domain::ActivityKind::kCommit)) {
          marks.insert("e:" + rows->Text(i, 2));
          day_marks.emplace("e:" + rows->Text(i, 2), day);
        }
      }
    }
    if (!marks.empty()) {
      const std::vector<std::string> subjects(marks.begin(), marks.end());
      if (auto bumped = db.Exec(kBumpFeedMarks, Params().Add(PgTextArray(subjects))); !bumped) {
        return tl::unexpected(bumped.error());
      }
      std::vector<std::string> day_subjects;
      std::vector<int64_t> days;
      for (const auto& [subject, day] : day_marks) {
        day_subjects.push_back(subject);
        days.push_back(day);
      }
      if (auto bumped = db.Exec(kBumpFeedDayMarks,
                                Params().Add(PgTextArray(day_subjects)).Add(PgIntArray(days)));
          !bumped) {
        return tl::unexpected(bumped.error());
      }
    }
    if (auto committed = transaction->Commit(); !committed) {
      return tl::unexpected(committed.error());
    }
    return inserted;
  });
}

Result<std::vector<domain::Activity>> PgActivities::ListForUser(const ActivityQuery& query) {
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<domain::Activity>> {
    auto rows = db.Exec(kSelectUserActivities, Params()
                                                   .Add(PgIntArray(query.gitlab_user_ids))
                                                   .Add(PgTextArray(query.emails))
                                                   .Add(PgTextArray(query.claimed_emails))
                                                   .Add(ToMicros(query.from))
                                                   .Add(ToMicros(query.to))
                                                   .Add(query.claimed_by_identities));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return ReadActivities(*rows);
  });
}

Result<std::vector<domain::Activity>> PgActivities::GetByKeys(
    const std::vector<std::string>& keys) {
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<domain::Activity>> {
    std::vector<int64_t> commit_projects;
    std::vector<std::string> commit_shas;
    for (const std::string& key : keys) {
      if (auto parts = ParseDerivableCommitKey(key)) {
        commit_projects.push_back(parts->project_id);
        commit_shas.push_back(std::move(parts->sha_hex));
      }
    }
    auto rows = db.Exec(kSelectActivitiesByKeys, Params()
                                                     .Add(PgTextArray(keys))
                                                     .Add(PgIntArray(commit_projects))
                                                     .Add(PgTextArray(commit_shas)));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return ReadActivities(*rows);
  });
}

Status PgActivities::DeleteAll() {
  return store_.pool().Run([&](Connection& db) { return db.ExecScript(kDeleteActivities); });
}

Result<std::string> PgActivities::FeedStamp(int64_t user_id) {
  return store_.pool().Run([&](Connection& db) -> Result<std::string> {
    auto rows = db.Exec(kSelectFeedStamp, Params().Add(user_id));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return fmt::format("{}.{}.{}.{}.{}", rows->Int(0, 0), rows->Int(0, 1), rows->Int(0, 2),
                       rows->Int(0, 3), rows->Int(0, 4));
  });
}

Result<FeedDayMarks> PgActivities::DayMarks(int64_t user_id, int64_t first_day, int64_t last_day) {
  return store_.pool().Run([&](Connection& db) -> Result<FeedDayMarks> {
    auto rows = db.Exec(kSelectFeedDayMarks, Params().Add(user_id).Add(first_day).Add(last_day));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    FeedDayMarks marks;
    for (int i = 0; i < rows->size(); ++i) {
      const std::string kind = rows->Text(i, 0);
      if (kind == "g") {
        marks.identities = rows->Int(i, 1);
        marks.all = rows->Int(i, 2);
      } else {
        (kind == "a" ? marks.activity_days : marks.worklog_days)[rows->Int(i, 1)] = rows->Int(i, 2);
      }
    }
    return marks;
  });
}

Result<int64_t> PgActivities::Count() {
  return store_.pool().Run([&](Connection& db) -> Result<int64_t> {
    auto rows = db.Exec(kCountActivities);
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return rows->Int(0, 0);
  });
}

}  // namespace worklog::store::postgres

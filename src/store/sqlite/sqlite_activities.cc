// Activities on SQLite.
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "store/activity_layout.h"
#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

// Row layout: migrations/sqlite/0032_compact_activities.sql, store/activity_layout.h.
// A plain INSERT ... VALUES: an INSERT ... SELECT reading activities itself would stage
// every row in a temporary table first (half the insert rate).
constexpr std::string_view kInsertActivity = R"sql(
  INSERT INTO activities (key, kind, action, occurred_at_us, project_id, project_path,
                          gitlab_user_id, author_email, author_name, title, body, body_tail,
                          url_prefix, url, ref, sha, issue_keys, time_spent_seconds)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
  ON CONFLICT DO NOTHING
)sql";

// A row stored without its key must not share the derived key with a key stored as given,
// and a key given in derivable commit form must not be a commit stored without one. Only a
// key given as "commit:..." can collide: when no stored key starts so (kAnyCommitKeyStored),
// the per-row checks are skipped.
constexpr std::string_view kAnyCommitKeyStored =
    "SELECT 1 FROM activities WHERE key >= 'commit:' AND key < 'commit;' LIMIT 1";
constexpr std::string_view kKeyStored = "SELECT 1 FROM activities WHERE key = ?1";
constexpr std::string_view kKeylessCommitStored =
    "SELECT 1 FROM activities WHERE key IS NULL AND project_id = ?1 AND sha = ?2";

constexpr std::string_view kInsertUrlPrefix = R"sql(
  INSERT INTO activity_url_prefixes (prefix) VALUES (?1) ON CONFLICT (prefix) DO NOTHING
)sql";

constexpr std::string_view kSelectUrlPrefix =
    "SELECT id FROM activity_url_prefixes WHERE prefix = ?1";

// The columns ReadActivity reads, each derived again where it was stored NULL.
#define WORKLOG_ACTIVITY_COLUMNS                                                            \
  "coalesce(a.key, 'commit:' || a.project_id || ':' || lower(hex(a.sha))) AS key, a.kind, " \
  "a.action, a.occurred_at_us, a.project_id, a.project_path, a.gitlab_user_id, "            \
  "a.author_email, a.author_name, a.title, "                                                \
  "coalesce(a.body, a.title || coalesce(a.body_tail, '')), "                                \
  "coalesce(p.prefix, '') || coalesce(a.url, 'commit/' || "                                 \
  "iif(typeof(a.sha) = 'blob', lower(hex(a.sha)), a.sha)), "                                \
  "a.ref, iif(typeof(a.sha) = 'blob', lower(hex(a.sha)), a.sha), a.issue_keys, "            \
  "a.time_spent_seconds "

// Two index range scans (actor; commit author), disjoint so UNION ALL needs no dedupe:
// the first leaves out commits authored under one of the user's e-mails, which the
// second returns. ?1 gitlab user ids, ?2 e-mails, ?3 claimed e-mails (JSON arrays), ?6
// claimed_by_identities.
constexpr std::string_view kSelectUserActivities = "SELECT " WORKLOG_ACTIVITY_COLUMNS R"sql(
  FROM activities a LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.gitlab_user_id IN (SELECT value FROM json_each(?1))
    AND a.occurred_at_us >= ?4 AND a.occurred_at_us < ?5
    AND (a.kind <> 'commit'
         OR (a.author_email NOT IN (SELECT value FROM json_each(?2))
             AND a.author_email NOT IN (SELECT value FROM json_each(?3))
             AND (?6 = 0 OR a.author_email NOT IN (
                   SELECT e.value FROM gitlab_identities i, json_each(i.emails) e
                   WHERE e.type = 'text'))))
  UNION ALL
  SELECT )sql" WORKLOG_ACTIVITY_COLUMNS R"sql(
  FROM activities a LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.kind = 'commit' AND a.author_email IN (SELECT value FROM json_each(?2))
    AND a.occurred_at_us >= ?4 AND a.occurred_at_us < ?5
  ORDER BY occurred_at_us, key
)sql";

// ?1 every key asked for (JSON array); ?2 those in derivable commit form as
// [project_id, sha hex] pairs, found among the rows stored without a key.
constexpr std::string_view kSelectActivitiesByKeys = "SELECT " WORKLOG_ACTIVITY_COLUMNS R"sql(
  FROM activities a LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.key IN (SELECT value FROM json_each(?1))
  UNION ALL
  SELECT )sql" WORKLOG_ACTIVITY_COLUMNS R"sql(
  FROM json_each(?2) j
  CROSS JOIN activities a
  LEFT JOIN activity_url_prefixes p ON p.id = a.url_prefix
  WHERE a.key IS NULL AND a.project_id = j.value ->> 0
    AND a.sha = worklog_unhex(j.value ->> 1)
)sql";

#undef WORKLOG_ACTIVITY_COLUMNS

constexpr std::string_view kDeleteActivities = R"sql(
  DELETE FROM activities;
  INSERT INTO feed_marks (subject, seq) VALUES ('all', 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
)sql";

// Bumps one feed mark (migrations/sqlite/0030_feed_marks.sql).
constexpr std::string_view kBumpFeedMark = R"sql(
  INSERT INTO feed_marks (subject, seq) VALUES (?1, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1
)sql";

// The marks ?1's feed depends on, in one row (see FeedStamp). A missing mark is 0.
constexpr std::string_view kSelectFeedStamp = R"sql(
  SELECT ifnull((SELECT seq FROM feed_marks WHERE subject = 'identities'), 0),
         ifnull((SELECT seq FROM feed_marks WHERE subject = 'all'), 0),
         ifnull((SELECT seq FROM feed_marks WHERE subject = 'w:' || ?1), 0),
         ifnull((SELECT m.seq FROM gitlab_identities i
                 JOIN feed_marks m ON m.subject = 'u:' || i.gitlab_user_id
                 WHERE i.user_id = ?1), 0),
         ifnull((SELECT sum(m.seq) FROM gitlab_identities i, json_each(i.emails) e
                 JOIN feed_marks m ON m.subject = 'e:' || e.value
                 WHERE i.user_id = ?1), 0)
)sql";

// Bumps one day mark (migrations/sqlite/0035_feed_day_marks.sql).
constexpr std::string_view kBumpFeedDayMark = R"sql(
  INSERT INTO feed_day_marks (subject, day, seq) VALUES (?1, ?2, 1)
    ON CONFLICT (subject, day) DO UPDATE SET seq = seq + 1
)sql";

// ?1's day marks of days ?2..?3 (see DayMarks): first the global marks ('g'), then the sum
// of the u:/e: marks per UTC day ('a') and the w: mark per start date ('w').
constexpr std::string_view kSelectFeedDayMarks = R"sql(
  SELECT 'g', ifnull((SELECT seq FROM feed_marks WHERE subject = 'identities'), 0),
         ifnull((SELECT seq FROM feed_marks WHERE subject = 'all'), 0)
  UNION ALL
  SELECT 'a', d.day, sum(d.seq) FROM feed_day_marks d
  WHERE d.subject IN (SELECT 'u:' || i.gitlab_user_id FROM gitlab_identities i
                      WHERE i.user_id = ?1
                      UNION ALL
                      SELECT 'e:' || e.value FROM gitlab_identities i, json_each(i.emails) e
                      WHERE i.user_id = ?1)
    AND d.day BETWEEN ?2 AND ?3
  GROUP BY d.day
  UNION ALL
  SELECT 'w', day, seq FROM feed_day_marks
  WHERE subject = 'w:' || ?1 AND day BETWEEN ?2 AND ?3
)sql";

constexpr std::string_view kCountActivities = "SELECT count(*) FROM activities";

Result<domain::Activity> ReadActivity(const Statement& row) {
  domain::Activity activity;
  activity.key = row.Text(0);
  auto kind = domain::ParseKind("kind", row.Text(1));
  if (!kind) {
    return Internal(fmt::format("activity {} has an unknown stored kind", activity.key));
  }
  activity.kind = *kind;
  activity.action = row.Text(2);
  activity.occurred_at = FromMicros(row.Int(3));
  activity.project_id = row.Int(4);
  activity.project_path = row.Text(5);
  activity.gitlab_user_id = row.OptionalInt(6);
  activity.author_email = row.Text(7);
  activity.author_name = row.Text(8);
  activity.title = row.Text(9);
  activity.body = row.Text(10);
  activity.url = row.Text(11);
  activity.ref = row.Text(12);
  activity.sha = row.Text(13);
  auto keys = DecodeStringArray(row.Text(14));
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  activity.issue_keys = std::move(*keys);
  activity.time_spent_seconds = row.OptionalInt(15);
  return activity;
}

Result<std::vector<domain::Activity>> AllActivities(Statement& statement) {
  std::vector<domain::Activity> activities;
  while (true) {
    auto row = statement.Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return activities;
    }
    auto activity = ReadActivity(statement);
    if (!activity) {
      return tl::unexpected(activity.error());
    }
    activities.push_back(std::move(*activity));
  }
}

// Whether `sql`, with `bind` applied, returns a row.
template <typename BindFn>
Result<bool> Exists(Connection& db, std::string_view sql, BindFn bind) {
  auto select = db.Prepare(sql);
  if (!select) {
    return tl::unexpected(select.error());
  }
  bind(*select);
  return select->Step();
}

// The id of every url prefix in `rows`, adding the ones not stored yet.
Result<std::map<std::string, int64_t>> UrlPrefixIds(Connection& db,
                                                    const std::vector<StoredActivity>& rows) {
  std::map<std::string, int64_t> ids;
  for (const StoredActivity& row : rows) {
    if (!row.url_prefix || ids.contains(*row.url_prefix)) {
      continue;
    }
    auto insert = db.Prepare(kInsertUrlPrefix);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, *row.url_prefix);
    if (auto done = insert->Run(); !done) {
      return tl::unexpected(done.error());
    }
    auto select = db.Prepare(kSelectUrlPrefix);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, *row.url_prefix);
    auto found = select->Step();
    if (!found) {
      return tl::unexpected(found.error());
    }
    if (!*found) {
      return Internal("an activity url prefix vanished while inserting");
    }
    ids.emplace(*row.url_prefix, select->Int(0));
  }
  return ids;
}

}  // namespace

Result<int64_t> SqliteActivities::InsertBatch(const std::vector<domain::Activity>& activities) {
  if (activities.empty()) {
    return 0;
  }
  // Key order keeps concurrent writers (other processes) from waiting on each other in a
  // cycle, and makes the index inserts mostly sequential.
  std::vector<const domain::Activity*> sorted;
  sorted.reserve(activities.size());
  for (const auto& activity : activities) {
    sorted.push_back(&activity);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->key < b->key; });
  std::vector<StoredActivity> stored;
  stored.reserve(sorted.size());
  for (const domain::Activity* activity : sorted) {
    stored.push_back(ToStored(*activity));
  }
  return store_.Write([&](Connection& db) -> Result<int64_t> {
    auto prefix_ids = UrlPrefixIds(db, stored);
    if (!prefix_ids) {
      return tl::unexpected(prefix_ids.error());
    }
    auto insert = db.Prepare(kInsertActivity);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    int64_t inserted = 0;
    // The feed marks of what was actually inserted (a skipped duplicate changes no feed).
    std::set<std::string> marks;
    std::set<std::pair<std::string, int64_t>> day_marks;  // and their UTC days
    auto any_commit_key = Exists(db, kAnyCommitKeyStored, [](Statement&) {});
    if (!any_commit_key) {
      return tl::unexpected(any_commit_key.error());
    }
    bool commit_keys_stored = *any_commit_key;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const domain::Activity* activity = sorted[i];
      const StoredActivity& row = stored[i];
      if (!row.key && commit_keys_stored) {
        auto taken = Exists(db, kKeyStored, [&](Statement& s) { s.Bind(1, row.full_key); });
        if (!taken) {
          return tl::unexpected(taken.error());
        }
        if (*taken) {
          continue;
        }
      }
      if (row.commit_key_of_other) {
        auto taken = Exists(db, kKeylessCommitStored, [&](Statement& s) {
          s.Bind(1, row.commit_key_of_other->project_id)
              .BindBlob(2, HexToBytes(row.commit_key_of_other->sha_hex));
        });
        if (!taken) {
          return tl::unexpected(taken.error());
        }
        if (*taken) {
          continue;
        }
      }
      insert->Reset();
      insert->Bind(1, row.key)
          .Bind(2, domain::KindName(activity->kind))
          .Bind(3, activity->action)
          .Bind(4, ToMicros(activity->occurred_at))
          .Bind(5, activity->project_id)
          .Bind(6, activity->project_path)
          .Bind(7, activity->gitlab_user_id)
          .Bind(8, activity->author_email)
          .Bind(9, activity->author_name)
          .Bind(10, activity->title)
          .Bind(11, row.body)
          .Bind(12, row.body_tail);
      if (row.url_prefix) {
        insert->Bind(13, prefix_ids->at(*row.url_prefix));
      } else {
        insert->BindNull(13);
      }
      insert->Bind(14, row.url).Bind(15, activity->ref);
      if (row.sha_hex) {
        insert->BindBlob(16, HexToBytes(*row.sha_hex));
      } else {
        insert->Bind(16, activity->sha);
      }
      insert->Bind(17, EncodeStringArray(activity->issue_keys))
          .Bind(18, activity->time_spent_seconds);
      auto changed = insert->Run();
      if (!changed) {
        return tl::unexpected(changed.error());
      }
      if (*changed == 0) {
        continue;
      }
      inserted += *changed;
      if (row.key && row.key->starts_with("commit:")) {
        commit_keys_stored = true;
      }
      for (std::string& mark : FeedMarksOf(*activity)) {
        day_marks.emplace(mark, UtcDayOf(activity->occurred_at));
        marks.insert(std::move(mark));
      }
    }
    if (!marks.empty()) {
      auto bump = db.Prepare(kBumpFeedMark);
      if (!bump) {
        return tl::unexpected(bump.error());
      }
      for (const std::string& mark : marks) {
        bump->Reset();
        bump->Bind(1, mark);
        if (auto bumped = bump->Run(); !bumped) {
          return tl::unexpected(bumped.error());
        }
      }
      auto bump_day = db.Prepare(kBumpFeedDayMark);
      if (!bump_day) {
        return tl::unexpected(bump_day.error());
      }
      for (const auto& [mark, day] : day_marks) {
        bump_day->Reset();
        bump_day->Bind(1, mark).Bind(2, day);
        if (auto bumped = bump_day->Run(); !bumped) {
          return tl::unexpected(bumped.error());
        }
      }
    }
    return inserted;
  });
}

Result<std::vector<domain::Activity>> SqliteActivities::ListForUser(const ActivityQuery& query) {
  return store_.Read([&](Connection& db) -> Result<std::vector<domain::Activity>> {
    auto select = db.Prepare(kSelectUserActivities);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, EncodeIntArray(query.gitlab_user_ids))
        .Bind(2, EncodeStringArray(query.emails))
        .Bind(3, EncodeStringArray(query.claimed_emails))
        .Bind(4, ToMicros(query.from))
        .Bind(5, ToMicros(query.to))
        .Bind(6, int64_t{query.claimed_by_identities ? 1 : 0});
    return AllActivities(*select);
  });
}

Result<std::vector<domain::Activity>> SqliteActivities::GetByKeys(
    const std::vector<std::string>& keys) {
  return store_.Read([&](Connection& db) -> Result<std::vector<domain::Activity>> {
    auto select = db.Prepare(kSelectActivitiesByKeys);
    if (!select) {
      return tl::unexpected(select.error());
    }
    std::string commits = "[";
    for (const std::string& key : keys) {
      if (auto parts = ParseDerivableCommitKey(key)) {
        if (commits.size() > 1) {
          commits.push_back(',');
        }
        commits += fmt::format(R"([{},"{}"])", parts->project_id, parts->sha_hex);
      }
    }
    commits.push_back(']');
    select->Bind(1, EncodeStringArray(keys)).Bind(2, commits);
    return AllActivities(*select);
  });
}

Status SqliteActivities::DeleteAll() {
  return store_.Write([&](Connection& db) -> Status { return db.Exec(kDeleteActivities); });
}

Result<std::string> SqliteActivities::FeedStamp(int64_t user_id) {
  return store_.Read([&](Connection& db) -> Result<std::string> {
    auto select = db.Prepare(kSelectFeedStamp);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, user_id);
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    return fmt::format("{}.{}.{}.{}.{}", select->Int(0), select->Int(1), select->Int(2),
                       select->Int(3), select->Int(4));
  });
}

Result<FeedDayMarks> SqliteActivities::DayMarks(int64_t user_id, int64_t first_day,
                                                int64_t last_day) {
  return store_.Read([&](Connection& db) -> Result<FeedDayMarks> {
    auto select = db.Prepare(kSelectFeedDayMarks);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, user_id).Bind(2, first_day).Bind(3, last_day);
    FeedDayMarks marks;
    while (true) {
      auto row = select->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (!*row) {
        return marks;
      }
      const std::string kind = select->Text(0);
      if (kind == "g") {
        marks.identities = select->Int(1);
        marks.all = select->Int(2);
      } else {
        (kind == "a" ? marks.activity_days : marks.worklog_days)[select->Int(1)] = select->Int(2);
      }
    }
  });
}

Result<int64_t> SqliteActivities::Count() {
  return store_.Read([&](Connection& db) -> Result<int64_t> {
    auto select = db.Prepare(kCountActivities);
    if (!select) {
      return tl::unexpected(select.error());
    }
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    return select->Int(0);
  });
}

}  // namespace worklog::store::sqlite

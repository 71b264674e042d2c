// Users, sessions and API tokens on SQLite.
#include <fmt/format.h>

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

constexpr std::string_view kInsertUser = R"sql(
  INSERT INTO users (email, name, role, timezone, password_hash, auto_log_day_end, created_at_us)
  VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
  RETURNING id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
)sql";

constexpr std::string_view kSelectUserById = R"sql(
  SELECT id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
  FROM users WHERE id = ?1
)sql";

constexpr std::string_view kSelectUserByEmail = R"sql(
  SELECT id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
  FROM users WHERE email = ?1
)sql";

constexpr std::string_view kSelectUsers = R"sql(
  SELECT id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
  FROM users ORDER BY id
)sql";

constexpr std::string_view kCountUsers = "SELECT count(*) FROM users";

constexpr std::string_view kUpdateUser = R"sql(
  UPDATE users SET name = ?2, role = ?3, timezone = ?4, password_hash = ?5,
                   auto_log_day_end = ?6
  WHERE id = ?1
)sql";

constexpr std::string_view kInsertSession = R"sql(
  INSERT INTO sessions (id_hash, user_id, csrf_token, created_at_us, expires_at_us)
  VALUES (?1, ?2, ?3, ?4, ?5)
)sql";

// The user's columns first, as ReadUser reads them, then the session's.
constexpr std::string_view kSelectSession = R"sql(
  SELECT u.id, u.email, u.name, u.role, u.timezone, u.password_hash, u.auto_log_day_end,
         u.created_at_us, s.id_hash, s.csrf_token, s.created_at_us, s.expires_at_us
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id_hash = ?1 AND s.expires_at_us > ?2
)sql";

constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE id_hash = ?1";

constexpr std::string_view kDeleteExpiredSessions =
    "DELETE FROM sessions WHERE expires_at_us <= ?1";

constexpr std::string_view kInsertApiToken = R"sql(
  INSERT INTO api_tokens (user_id, name, token_hash, created_at_us) VALUES (?1, ?2, ?3, ?4)
  RETURNING id, user_id, name, token_hash, created_at_us
)sql";

// The user's columns first, as ReadUser reads them, then the token's.
constexpr std::string_view kSelectApiToken = R"sql(
  SELECT u.id, u.email, u.name, u.role, u.timezone, u.password_hash, u.auto_log_day_end,
         u.created_at_us, t.id, t.user_id, t.name, t.token_hash, t.created_at_us
  FROM api_tokens t JOIN users u ON u.id = t.user_id
  WHERE t.token_hash = ?1
)sql";

constexpr int kUserColumns = 8;  // ReadUser's

Result<domain::User> ReadUser(const Statement& row) {
  domain::User user;
  user.id = row.Int(0);
  user.email = row.Text(1);
  user.name = row.Text(2);
  auto role = domain::ParseRole("role", row.Text(3));
  if (!role) {
    return Internal(fmt::format("user {} has an unknown stored role", user.id));
  }
  user.role = *role;
  user.timezone = row.Text(4);
  user.password_hash = row.Text(5);
  user.auto_log_day_end = row.Int(6) != 0;
  user.created_at = FromMicros(row.Int(7));
  return user;
}

// A token's 5 columns, from column `first` on.
ApiToken ReadApiToken(const Statement& row, int first) {
  return ApiToken{.id = row.Int(first),
                  .user_id = row.Int(first + 1),
                  .name = row.Text(first + 2),
                  .token_hash = row.Text(first + 3),
                  .created_at = FromMicros(row.Int(first + 4))};
}

// Runs a one-row query; kNotFound with `what` when it has no row.
template <typename T, typename Reader>
Result<T> QueryOne(Statement& statement, std::string_view what, Reader read) {
  auto row = statement.Step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  if (!*row) {
    return NotFound(std::string(what));
  }
  return read(statement);
}

// Sign-in failures (migrations/sqlite/0033_sign_in_failures.sql). First the keys that count
// for nothing any more go: every expired one, and this key when its lockout is over (so it
// counts from 1 again). ?1 key, ?2 now.
constexpr std::string_view kForgetSignInFailures = R"sql(
  DELETE FROM sign_in_failures
  WHERE expires_us < ?2 OR (key = ?1 AND locked_until_us <> 0 AND locked_until_us <= ?2)
)sql";

// Then one failure is counted; the one that reaches ?5 failures locks the key for ?4 from
// ?2. ?3 the window.
constexpr std::string_view kCountSignInFailure = R"sql(
  INSERT INTO sign_in_failures (key, failures, first_failure_us, locked_until_us, expires_us)
  VALUES (?1, 1, ?2, CASE WHEN ?5 <= 1 THEN ?2 + ?4 ELSE 0 END,
          max(?2 + ?3, CASE WHEN ?5 <= 1 THEN ?2 + ?4 ELSE 0 END))
  ON CONFLICT (key) DO UPDATE SET
    failures = failures + 1,
    locked_until_us = CASE WHEN failures + 1 >= ?5 THEN ?2 + ?4 ELSE locked_until_us END,
    expires_us = max(first_failure_us + ?3,
                     CASE WHEN failures + 1 >= ?5 THEN ?2 + ?4 ELSE locked_until_us END)
)sql";

constexpr std::string_view kSelectSignInLock =
    "SELECT locked_until_us FROM sign_in_failures WHERE key = ?1 AND locked_until_us > ?2";

constexpr std::string_view kDeleteSignInFailures = "DELETE FROM sign_in_failures WHERE key = ?1";

}  // namespace

Result<domain::User> SqliteUsers::Create(const domain::NewUser& user) {
  const int64_t now = ToMicros(store_.clock().Now());
  auto created = store_.Write([&](Connection& db) -> Result<domain::User> {
    auto insert = db.Prepare(kInsertUser);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, user.email)
        .Bind(2, user.name)
        .Bind(3, domain::RoleName(user.role))
        .Bind(4, user.timezone)
        .Bind(5, user.password_hash)
        .Bind(6, now);
    return QueryOne<domain::User>(*insert, "user", ReadUser);
  });
  if (!created && created.error().code == ErrorCode::kConflict) {
    return tl::unexpected(Error{ErrorCode::kConflict, "email",
                                fmt::format("a user with e-mail {} already exists", user.email)});
  }
  return created;
}

Result<domain::User> SqliteUsers::Get(int64_t id) {
  return store_.Read([&](Connection& db) -> Result<domain::User> {
    auto select = db.Prepare(kSelectUserById);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, id);
    return QueryOne<domain::User>(*select, fmt::format("user {} not found", id), ReadUser);
  });
}

Result<domain::User> SqliteUsers::GetByEmail(std::string_view email) {
  return store_.Read([&](Connection& db) -> Result<domain::User> {
    auto select = db.Prepare(kSelectUserByEmail);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, email);
    return QueryOne<domain::User>(*select, "no user with that e-mail", ReadUser);
  });
}

Result<std::vector<domain::User>> SqliteUsers::List() {
  return store_.Read([&](Connection& db) -> Result<std::vector<domain::User>> {
    auto select = db.Prepare(kSelectUsers);
    if (!select) {
      return tl::unexpected(select.error());
    }
    std::vector<domain::User> users;
    while (true) {
      auto row = select->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (!*row) {
        return users;
      }
      auto user = ReadUser(*select);
      if (!user) {
        return tl::unexpected(user.error());
      }
      users.push_back(std::move(*user));
    }
  });
}

Result<int64_t> SqliteUsers::Count() {
  return store_.Read([&](Connection& db) -> Result<int64_t> {
    auto select = db.Prepare(kCountUsers);
    if (!select) {
      return tl::unexpected(select.error());
    }
    return QueryOne<int64_t>(*select, "count", [](const Statement& row) { return row.Int(0); });
  });
}

Status SqliteUsers::Update(const domain::User& user) {
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kUpdateUser);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, user.id)
        .Bind(2, user.name)
        .Bind(3, domain::RoleName(user.role))
        .Bind(4, user.timezone)
        .Bind(5, user.password_hash)
        .Bind(6, int64_t{user.auto_log_day_end ? 1 : 0});
    auto changed = update->Run();
    if (!changed) {
      return tl::unexpected(changed.error());
    }
    if (*changed == 0) {
      return NotFound(fmt::format("user {} not found", user.id));
    }
    return {};
  });
}

Status SqliteSessions::Create(const Session& session) {
  return store_.Write([&](Connection& db) -> Status {
    auto insert = db.Prepare(kInsertSession);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, session.id_hash)
        .Bind(2, session.user_id)
        .Bind(3, session.csrf_token)
        .Bind(4, ToMicros(session.created_at))
        .Bind(5, ToMicros(session.expires_at));
    if (auto done = insert->Run(); !done) {
      return tl::unexpected(done.error());
    }
    return {};
  });
}

Result<SessionWithUser> SqliteSessions::Get(std::string_view id_hash, TimePoint now) {
  return store_.Read([&](Connection& db) -> Result<SessionWithUser> {
    auto select = db.Prepare(kSelectSession);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, id_hash).Bind(2, ToMicros(now));
    return QueryOne<SessionWithUser>(
        *select, "session not found or expired",
        [](const Statement& row) -> Result<SessionWithUser> {
          auto user = ReadUser(row);
          if (!user) {
            return tl::unexpected(user.error());
          }
          constexpr int kSession = kUserColumns;
          return SessionWithUser{.session = {.id_hash = row.Text(kSession),
                                             .user_id = user->id,
                                             .csrf_token = row.Text(kSession + 1),
                                             .created_at = FromMicros(row.Int(kSession + 2)),
                                             .expires_at = FromMicros(row.Int(kSession + 3))},
                                 .user = std::move(*user)};
        });
  });
}

Status SqliteSessions::Delete(std::string_view id_hash) {
  return store_.Write([&](Connection& db) -> Status {
    auto remove = db.Prepare(kDeleteSession);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, id_hash);
    if (auto done = remove->Run(); !done) {
      return tl::unexpected(done.error());
    }
    return {};
  });
}

Status SqliteSessions::DeleteExpired(TimePoint now) {
  return store_.Write([&](Connection& db) -> Status {
    auto remove = db.Prepare(kDeleteExpiredSessions);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, ToMicros(now));
    if (auto done = remove->Run(); !done) {
      return tl::unexpected(done.error());
    }
    return {};
  });
}

Result<ApiToken> SqliteSessions::CreateApiToken(int64_t user_id, std::string_view name,
                                                std::string_view token_hash) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<ApiToken> {
    auto insert = db.Prepare(kInsertApiToken);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, user_id).Bind(2, name).Bind(3, token_hash).Bind(4, now);
    return QueryOne<ApiToken>(*insert, "api token",
                              [](const Statement& row) { return ReadApiToken(row, 0); });
  });
}

Result<ApiTokenWithUser> SqliteSessions::GetApiToken(std::string_view token_hash) {
  return store_.Read([&](Connection& db) -> Result<ApiTokenWithUser> {
    auto select = db.Prepare(kSelectApiToken);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, token_hash);
    return QueryOne<ApiTokenWithUser>(
        *select, "api token not found", [](const Statement& row) -> Result<ApiTokenWithUser> {
          auto user = ReadUser(row);
          if (!user) {
            return tl::unexpected(user.error());
          }
          return ApiTokenWithUser{.token = ReadApiToken(row, kUserColumns),
                                  .user = std::move(*user)};
        });
  });
}

Status SqliteSessions::RecordSignInFailure(std::string_view key, const SignInLimit& limit,
                                           TimePoint now) {
  return store_.Write([&](Connection& db) -> Status {
    auto forget = db.Prepare(kForgetSignInFailures);
    if (!forget) {
      return tl::unexpected(forget.error());
    }
    forget->Bind(1, key).Bind(2, ToMicros(now));
    if (auto done = forget->Run(); !done) {
      return tl::unexpected(done.error());
    }
    auto count = db.Prepare(kCountSignInFailure);
    if (!count) {
      return tl::unexpected(count.error());
    }
    count->Bind(1, key)
        .Bind(2, ToMicros(now))
        .Bind(3, ToMicros(limit.window))
        .Bind(4, ToMicros(limit.lockout))
        .Bind(5, int64_t{limit.max_failures});
    if (auto done = count->Run(); !done) {
      return tl::unexpected(done.error());
    }
    return {};
  });
}

Result<std::optional<TimePoint>> SqliteSessions::SignInLockedUntil(std::string_view key,
                                                                   TimePoint now) {
  return store_.Read([&](Connection& db) -> Result<std::optional<TimePoint>> {
    auto select = db.Prepare(kSelectSignInLock);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, key).Bind(2, ToMicros(now));
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return std::nullopt;
    }
    return FromMicros(select->Int(0));
  });
}

Status SqliteSessions::ResetSignInFailures(std::string_view key) {
  return store_.Write([&](Connection& db) -> Status {
    auto remove = db.Prepare(kDeleteSignInFailures);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, key);
    if (auto done = remove->Run(); !done) {
      return tl::unexpected(done.error());
    }
    return {};
  });
}

}  // namespace worklog::store::sqlite

// Users, sessions and API tokens on PostgreSQL.
#include <fmt/format.h>

#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

constexpr std::string_view kInsertUser = R"sql(
  INSERT INTO users (email, name, role, timezone, password_hash, auto_log_day_end, created_at_us)
  VALUES ($1, $2, $3, $4, $5, false, $6)
  RETURNING id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
)sql";

constexpr std::string_view kSelectUserById = R"sql(
  SELECT id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
  FROM users WHERE id = $1
)sql";

constexpr std::string_view kSelectUserByEmail = R"sql(
  SELECT id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
  FROM users WHERE email = $1
)sql";

constexpr std::string_view kSelectUsers = R"sql(
  SELECT id, email, name, role, timezone, password_hash, auto_log_day_end, created_at_us
  FROM users ORDER BY id
)sql";

constexpr std::string_view kCountUsers = "SELECT count(*) FROM users";

constexpr std::string_view kUpdateUser = R"sql(
  UPDATE users SET name = $2, role = $3, timezone = $4, password_hash = $5,
                   auto_log_day_end = $6
  WHERE id = $1
)sql";

constexpr std::string_view kInsertSession = R"sql(
  INSERT INTO sessions (id_hash, user_id, csrf_token, created_at_us, expires_at_us)
  VALUES ($1, $2, $3, $4, $5)
)sql";

// The user's columns first, as ReadUser reads them, then the session's.
constexpr std::string_view kSelectSession = R"sql(
  SELECT u.id, u.email, u.name, u.role, u.timezone, u.password_hash, u.auto_log_day_end,
         u.created_at_us, s.id_hash, s.csrf_token, s.created_at_us, s.expires_at_us
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id_hash = $1 AND s.expires_at_us > $2
)sql";

constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE id_hash = $1";

constexpr std::string_view kDeleteExpiredSessions =
    "DELETE FROM sessions WHERE expires_at_us <= $1";

constexpr std::string_view kInsertApiToken = R"sql(
  INSERT INTO api_tokens (user_id, name, token_hash, created_at_us) VALUES ($1, $2, $3, $4)
  RETURNING id, user_id, name, token_hash, created_at_us
)sql";

// The user's columns first, as ReadUser reads them, then the token's.
constexpr std::string_view kSelectApiToken = R"sql(
  SELECT u.id, u.email, u.name, u.role, u.timezone, u.password_hash, u.auto_log_day_end,
         u.created_at_us, t.id, t.user_id, t.name, t.token_hash, t.created_at_us
  FROM api_tokens t JOIN users u ON u.id = t.user_id
  WHERE t.token_hash = $1
)sql";

constexpr int kUserColumns = 8;  // ReadUser's

Result<domain::User> ReadUser(const Rows& rows, int row) {
  domain::User user;
  user.id = rows.Int(row, 0);
  user.email = rows.Text(row, 1);
  user.name = rows.Text(row, 2);
  auto role = domain::ParseRole("role", rows.Text(row, 3));
  if (!role) {
    return Internal(fmt::format("user {} has an unknown stored role", user.id));
  }
  user.role = *role;
  user.timezone = rows.Text(row, 4);
  user.password_hash = rows.Text(row, 5);
  user.auto_log_day_end = rows.Bool(row, 6);
  user.created_at = FromMicros(rows.Int(row, 7));
  return user;
}

// A token's 5 columns of `row`, from column `first` on.
ApiToken ReadApiToken(const Rows& rows, int row, int first) {
  return ApiToken{.id = rows.Int(row, first),
                  .user_id = rows.Int(row, first + 1),
                  .name = rows.Text(row, first + 2),
                  .token_hash = rows.Text(row, first + 3),
                  .created_at = FromMicros(rows.Int(row, first + 4))};
}

Result<domain::User> OneUser(Result<Rows> rows, std::string_view missing) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->empty()) {
    return NotFound(std::string(missing));
  }
  return ReadUser(*rows, 0);
}

Status Done(const Result<Rows>& rows) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return {};
}

// Sign-in failures (migrations/postgres/0033_sign_in_failures.sql). First the keys that count
// for nothing any more go: every expired one, and this key when its lockout is over (so it
// counts from 1 again). $1 key, $2 now.
constexpr std::string_view kForgetSignInFailures = R"sql(
  DELETE FROM sign_in_failures
  WHERE expires_us < $2::bigint
     OR (key = $1::text AND locked_until_us <> 0 AND locked_until_us <= $2::bigint)
)sql";

// Then one failure is counted, atomically under the row's lock when several nodes count at
// once; the one that reaches $5 failures locks the key for $4 from $2. $3 the window.
constexpr std::string_view kCountSignInFailure = R"sql(
  INSERT INTO sign_in_failures AS f (key, failures, first_failure_us, locked_until_us,
                                     expires_us)
  VALUES ($1::text, 1, $2::bigint,
          CASE WHEN $5::integer <= 1 THEN $2::bigint + $4::bigint ELSE 0 END,
          GREATEST($2::bigint + $3::bigint,
                   CASE WHEN $5::integer <= 1 THEN $2::bigint + $4::bigint ELSE 0 END))
  ON CONFLICT (key) DO UPDATE SET
    failures = f.failures + 1,
    locked_until_us = CASE WHEN f.failures + 1 >= $5::integer THEN $2::bigint + $4::bigint
                           ELSE f.locked_until_us END,
    expires_us = GREATEST(f.first_failure_us + $3::bigint,
                          CASE WHEN f.failures + 1 >= $5::integer THEN $2::bigint + $4::bigint
                               ELSE f.locked_until_us END)
)sql";

constexpr std::string_view kSelectSignInLock =
    "SELECT locked_until_us FROM sign_in_failures WHERE key = $1 AND locked_until_us > $2";

constexpr std::string_view kDeleteSignInFailures = "DELETE FROM sign_in_failures WHERE key = $1";

}  // namespace

Result<domain::User> PgUsers::Create(const domain::NewUser& user) {
  const int64_t now = ToMicros(store_.clock().Now());
  auto created = store_.pool().Run(
      [&](Connection& db) {
        return OneUser(db.Exec(kInsertUser, Params()
                                                .Add(user.email)
                                                .Add(user.name)
                                                .Add(domain::RoleName(user.role))
                                                .Add(user.timezone)
                                                .Add(user.password_hash)
                                                .Add(now)),
                       "user");
      },
      /*retry_on_lost_connection=*/false);
  if (!created && created.error().code == ErrorCode::kConflict) {
    return tl::unexpected(Error{ErrorCode::kConflict, "email",
                                fmt::format("a user with e-mail {} already exists", user.email)});
  }
  return created;
}

Result<domain::User> PgUsers::Get(int64_t id) {
  return store_.pool().Run([&](Connection& db) {
    return OneUser(db.Exec(kSelectUserById, Params().Add(id)),
                   fmt::format("user {} not found", id));
  });
}

Result<domain::User> PgUsers::GetByEmail(std::string_view email) {
  return store_.pool().Run([&](Connection& db) {
    return OneUser(db.Exec(kSelectUserByEmail, Params().Add(email)), "no user with that e-mail");
  });
}

Result<std::vector<domain::User>> PgUsers::List() {
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<domain::User>> {
    auto rows = db.Exec(kSelectUsers);
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    std::vector<domain::User> users;
    users.reserve(static_cast<std::size_t>(rows->size()));
    for (int i = 0; i < rows->size(); ++i) {
      auto user = ReadUser(*rows, i);
      if (!user) {
        return tl::unexpected(user.error());
      }
      users.push_back(std::move(*user));
    }
    return users;
  });
}

Result<int64_t> PgUsers::Count() {
  return store_.pool().Run([&](Connection& db) -> Result<int64_t> {
    auto rows = db.Exec(kCountUsers);
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return rows->Int(0, 0);
  });
}

Status PgUsers::Update(const domain::User& user) {
  return store_.pool().Run([&](Connection& db) -> Status {
    auto rows = db.Exec(kUpdateUser, Params()
                                         .Add(user.id)
                                         .Add(user.name)
                                         .Add(domain::RoleName(user.role))
                                         .Add(user.timezone)
                                         .Add(user.password_hash)
                                         .Add(user.auto_log_day_end));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->Affected() == 0) {
      return NotFound(fmt::format("user {} not found", user.id));
    }
    return {};
  });
}

Status PgSessions::Create(const Session& session) {
  return store_.pool().Run(
      [&](Connection& db) {
        return Done(db.Exec(kInsertSession, Params()
                                                .Add(session.id_hash)
                                                .Add(session.user_id)
                                                .Add(session.csrf_token)
                                                .Add(ToMicros(session.created_at))
                                                .Add(ToMicros(session.expires_at))));
      },
      /*retry_on_lost_connection=*/false);
}

Result<SessionWithUser> PgSessions::Get(std::string_view id_hash, TimePoint now) {
  return store_.pool().Run([&](Connection& db) -> Result<SessionWithUser> {
    auto rows = db.Exec(kSelectSession, Params().Add(id_hash).Add(ToMicros(now)));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return NotFound("session not found or expired");
    }
    auto user = ReadUser(*rows, 0);
    if (!user) {
      return tl::unexpected(user.error());
    }
    constexpr int kSession = kUserColumns;
    return SessionWithUser{.session = {.id_hash = rows->Text(0, kSession),
                                       .user_id = user->id,
                                       .csrf_token = rows->Text(0, kSession + 1),
                                       .created_at = FromMicros(rows->Int(0, kSession + 2)),
                                       .expires_at = FromMicros(rows->Int(0, kSession + 3))},
                           .user = std::move(*user)};
  });
}

Status PgSessions::Delete(std::string_view id_hash) {
  return store_.pool().Run(
      [&](Connection& db) { return Done(db.Exec(kDeleteSession, Params().Add(id_hash))); });
}

Status PgSessions::DeleteExpired(TimePoint now) {
  return store_.pool().Run([&](Connection& db) {
    return Done(db.Exec(kDeleteExpiredSessions, Params().Add(ToMicros(now))));
  });
}

Result<ApiToken> PgSessions::CreateApiToken(int64_t user_id, std::string_view name,
                                            std::string_view token_hash) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run(
      [&](Connection& db) -> Result<ApiToken> {
        auto rows =
            db.Exec(kInsertApiToken, Params().Add(user_id).Add(name).Add(token_hash).Add(now));
        if (!rows) {
          return tl::unexpected(rows.error());
        }
        return ReadApiToken(*rows, 0, 0);
      },
      /*retry_on_lost_connection=*/false);
}

Result<ApiTokenWithUser> PgSessions::GetApiToken(std::string_view token_hash) {
  return store_.pool().Run([&](Connection& db) -> Result<ApiTokenWithUser> {
    auto rows = db.Exec(kSelectApiToken, Params().Add(token_hash));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return NotFound("api token not found");
    }
    auto user = ReadUser(*rows, 0);
    if (!user) {
      return tl::unexpected(user.error());
    }
    return ApiTokenWithUser{.token = ReadApiToken(*rows, 0, kUserColumns),
                            .user = std::move(*user)};
  });
}

Status PgSessions::RecordSignInFailure(std::string_view key, const SignInLimit& limit,
                                       TimePoint now) {
  return store_.pool().Run([&](Connection& db) -> Status {
    if (auto forgot = Done(db.Exec(kForgetSignInFailures, Params().Add(key).Add(ToMicros(now))));
        !forgot) {
      return forgot;
    }
    return Done(db.Exec(kCountSignInFailure, Params()
                                                 .Add(key)
                                                 .Add(ToMicros(now))
                                                 .Add(ToMicros(limit.window))
                                                 .Add(ToMicros(limit.lockout))
                                                 .Add(int64_t{limit.max_failures})));
  });
}

Result<std::optional<TimePoint>> PgSessions::SignInLockedUntil(std::string_view key,
                                                               TimePoint now) {
  return store_.pool().Run([&](Connection& db) -> Result<std::optional<TimePoint>> {
    auto rows = db.Exec(kSelectSignInLock, Params().Add(key).Add(ToMicros(now)));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return std::nullopt;
    }
    return FromMicros(rows->Int(0, 0));
  });
}

Status PgSessions::ResetSignInFailures(std::string_view key) {
  return store_.pool().Run(
      [&](Connection& db) { return Done(db.Exec(kDeleteSignInFailures, Params().Add(key))); });
}

}  // namespace worklog::store::postgres

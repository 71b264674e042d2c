#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "app/principal.h"
#include "app/rate_limiter.h"
#include "common/clock.h"
#include "common/result.h"
#include "domain/user.h"
#include "store/store.h"

namespace worklog::app {

struct AddUserInput {
  std::string email;
  std::string name;
  std::string role = "user";  // "admin" | "user"
  std::string timezone = "UTC";
  std::optional<std::string> password;  // empty: the user cannot sign in with a password
};

// A new browser session. `session_id` goes into the cookie and is never stored or logged.
struct SignedIn {
  domain::User user;
  std::string session_id;
  std::string csrf_token;
  TimePoint expires_at{};
};

struct SignInError {
  Error error;
  std::chrono::seconds retry_after{0};  // > 0 with kRateLimited: the Retry-After to send
};

// The administrator created on first start.
struct BootstrapAdmin {
  std::string email;
  std::string password_file;  // mode 0600, holds the password and a newline
};

struct AccountsOptions {
  std::chrono::seconds session_lifetime{14 * 24 * 60 * 60};
  store::SignInLimit per_account;  // wrong passwords for one e-mail
  store::SignInLimit per_address;  // wrong passwords from one client address
};

inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordLength = 1024;
inline constexpr std::string_view kBootstrapAdminEmail = "admin@localhost";
inline constexpr std::string_view kBootstrapPasswordFile = "initial-admin-password";

// What a user may change about themself.
struct SettingsInput {
  std::optional<std::string> timezone;  // IANA name
  std::optional<bool> auto_log_day_end;
};

// Use cases around accounts: users, sign-in and sessions, personal API tokens, the first
// administrator. Thread-safe.
class Accounts {
 public:
  Accounts(store::Store& store, const Clock& clock, AccountsOptions options = {});

  // Validates every field (errors name "email", "name", "role", "timezone", "password") and
  // stores the user with an Argon2id hash of the password. kConflict when the e-mail is taken.
  Result<domain::User> AddUser(const AddUserInput& input);

  // Creates a personal API token for the user with `email`; returns the raw token (shown
  // once; only its SHA-256 is stored).
  Result<std::string> CreateApiToken(std::string_view email, std::string_view name);

  // Checks the password and opens a session. Wrong e-mail and wrong password are the same
  // kUnauthenticated error. After too many failures for the account or for `address`,
  // answers kRateLimited with a retry_after, whatever the password.
  tl::expected<SignedIn, SignInError> SignIn(std::string_view email, std::string_view password,
                                             std::string_view address);
  Status SignOut(const Principal& principal);

  // kUnauthenticated when the session or token is unknown or expired.
  Result<Principal> AuthenticateSession(std::string_view session_id);
  Result<Principal> AuthenticateBearer(std::string_view token);

  // The caller's own settings (PATCH /api/v1/me): absent fields stay as they are. Errors
  // name "timezone". Returns the user as stored.
  Result<domain::User> UpdateSettings(const Principal& caller, const SettingsInput& input);

  // On an empty database, creates the administrator `admin@localhost` with a random
  // password written to `<data_dir>/initial-admin-password` (mode 0600). Empty when the
  // database already has users (another node may have just created them).
  Result<std::optional<BootstrapAdmin>> EnsureAdministrator(const std::string& data_dir);

 private:
  bool VerifyLimited(std::string_view hash, std::string_view password);
  const std::string& DummyHash();

  store::Store& store_;
  const Clock& clock_;
  AccountsOptions options_;
  FailureLimiter account_failures_;
  FailureLimiter address_failures_;
  // Argon2id takes 64 MiB per verification: bound how many run at once.
  std::counting_semaphore<4> password_checks_{4};
  std::once_flag dummy_hash_once_;
  std::string dummy_hash_;  // verified against when the e-mail is unknown; set once
};

}  // namespace worklog::app

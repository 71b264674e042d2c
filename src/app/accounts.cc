#include "app/accounts.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "common/crypto.h"

namespace worklog::app {
namespace {

constexpr std::string_view kApiTokenPrefix = "wlt_";

Result<std::string> ValidatePassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return InvalidArgument("password",
                           fmt::format("must be at least {} characters", kMinPasswordLength));
  }
  if (password.size() > kMaxPasswordLength) {
    return InvalidArgument("password",
                           fmt::format("must be at most {} characters", kMaxPasswordLength));
  }
  return std::string(password);
}

std::string AccountKey(std::string_view email) { return fmt::format("account:{}", email); }
std::string AddressKey(std::string_view address) { return fmt::format("address:{}", address); }

// Unknown session or token, and a failed lookup, look the same to the caller.
Error AsUnauthenticated(const Error& error, std::string_view what) {
  if (error.code == ErrorCode::kNotFound) {
    return Error{ErrorCode::kUnauthenticated, {}, fmt::format("{} is unknown or expired", what)};
  }
  return error;
}

// Writes `text` to a new file at `path` readable only by its owner, durably.
Status WritePrivateFile(const std::string& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Internal(fmt::format("cannot create {}: {}", path,
                                std::error_code(errno, std::generic_category()).message()));
  }
  ::fchmod(fd, 0600);  // also when the file already existed with looser bits
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      ::close(fd);
      return Internal(fmt::format("cannot write {}: {}", path,
                                  std::error_code(saved, std::generic_category()).message()));
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    return Internal(fmt::format("cannot sync {}", path));
  }
  return {};
}

}  // namespace

Accounts::Accounts(store::Store& store, const Clock& clock, AccountsOptions options)
    : store_(store),
      clock_(clock),
      options_(options),
      account_failures_(store.Sessions(), clock, options.per_account),
      address_failures_(store.Sessions(), clock, options.per_address) {}

const std::string& Accounts::DummyHash() {
  // Hashed on first use: a CLI command that never signs anyone in should not pay for it.
  std::call_once(dummy_hash_once_,
                 [this] { dummy_hash_ = HashPassword(RandomToken(16)).value_or(std::string()); });
  return dummy_hash_;
}

Result<domain::User> Accounts::AddUser(const AddUserInput& input) {
  domain::NewUser user;
  auto email = domain::NormalizeEmail("email", input.email);
  if (!email) {
    return tl::unexpected(email.error());
  }
  user.email = std::move(*email);
  auto name = domain::ValidateDisplayName("name", input.name);
  if (!name) {
    return tl::unexpected(name.error());
  }
  user.name = std::move(*name);
  auto role = domain::ParseRole("role", input.role);
  if (!role) {
    return tl::unexpected(role.error());
  }
  user.role = *role;
  auto timezone = domain::ValidateTimeZone("timezone", input.timezone);
  if (!timezone) {
    return tl::unexpected(timezone.error());
  }
  user.timezone = std::move(*timezone);
  if (input.password) {
    auto password = ValidatePassword(*input.password);
    if (!password) {
      return tl::unexpected(password.error());
    }
    auto hash = HashPassword(*password);
    if (!hash) {
      return tl::unexpected(hash.error());
    }
    user.password_hash = std::move(*hash);
  }
  auto created = store_.Users().Create(user);
  if (!created && created.error().code == ErrorCode::kConflict) {
    return tl::unexpected(Error{ErrorCode::kConflict, "email",
                                fmt::format("{} already belongs to another user", user.email)});
  }
  return created;
}

Result<std::string> Accounts::CreateApiToken(std::string_view email, std::string_view name) {
  auto normalized = domain::NormalizeEmail("email", email);
  if (!normalized) {
    return tl::unexpected(normalized.error());
  }
  auto user = store_.Users().GetByEmail(*normalized);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) {
      return NotFound(fmt::format("no user has the e-mail {}", *normalized));
    }
    return tl::unexpected(user.error());
  }
  std::string token = fmt::format("{}{}", kApiTokenPrefix, RandomToken(32));
  auto stored = store_.Sessions().CreateApiToken(user->id, name, Sha256Hex(token));
  if (!stored) {
    return tl::unexpected(stored.error());
  }
  return token;
}

bool Accounts::VerifyLimited(std::string_view hash, std::string_view password) {
  password_checks_.acquire();
  const bool ok = VerifyPassword(hash, password);
  password_checks_.release();
  return ok;
}

tl::expected<SignedIn, SignInError> Accounts::SignIn(std::string_view email,
                                                     std::string_view password,
                                                     std::string_view address) {
  const auto fail = [](Error error, std::chrono::seconds retry_after = {}) {
    return tl::unexpected(SignInError{std::move(error), retry_after});
  };
  auto normalized = domain::NormalizeEmail("email", email);
  if (!normalized) {
    return fail(normalized.error());
  }
  if (password.empty()) {
    return fail(Error{ErrorCode::kInvalidArgument, "password", "is required"});
  }
  if (password.size() > kMaxPasswordLength) {
    return fail(Error{ErrorCode::kInvalidArgument, "password",
                      fmt::format("must be at most {} characters", kMaxPasswordLength)});
  }
  const std::string account_key = AccountKey(*normalized);
  const std::string address_key = AddressKey(address);
  const auto account_wait = account_failures_.RetryAfter(account_key);
  if (!account_wait) {
    return fail(account_wait.error());
  }
  const auto address_wait = address_failures_.RetryAfter(address_key);
  if (!address_wait) {
    return fail(address_wait.error());
  }
  if (*account_wait || *address_wait) {
    const auto wait = std::max(account_wait->value_or(std::chrono::seconds(0)),
                               address_wait->value_or(std::chrono::seconds(0)));
    return fail(Error{ErrorCode::kRateLimited,
                      {},
                      fmt::format("too many failed sign-in attempts; try again in {} seconds",
                                  wait.count())},
                wait);
  }

  auto user = store_.Users().GetByEmail(*normalized);
  if (!user && user.error().code != ErrorCode::kNotFound) {
    return fail(user.error());
  }
  // Verify against a dummy hash for unknown users so timing does not reveal who exists.
  const bool has_password = user && !user->password_hash.empty();
  const bool ok =
      VerifyLimited(has_password ? user->password_hash : DummyHash(), password) && has_password;
  if (!ok) {
    // The answer stays "wrong password" if the count cannot be stored; the log says so.
    const Status counted = account_failures_.RecordFailure(account_key).and_then([&] {
      return address_failures_.RecordFailure(address_key);
    });
    if (!counted) {
      spdlog::error("could not count a failed sign-in: {}", counted.error().message);
    }
    spdlog::info("sign-in failed address={}", address);
    return fail(Error{ErrorCode::kUnauthenticated, {}, "wrong e-mail or password"});
  }
  if (auto reset = account_failures_.Reset(account_key); !reset) {
    spdlog::warn("could not forget failed sign-ins: {}", reset.error().message);
  }

  const TimePoint now = clock_.Now();
  SignedIn signed_in{.user = std::move(*user),
                     .session_id = RandomToken(32),
                     .csrf_token = RandomToken(32),
                     .expires_at = now + options_.session_lifetime};
  const store::Session session{.id_hash = Sha256Hex(signed_in.session_id),
                               .user_id = signed_in.user.id,
                               .csrf_token = signed_in.csrf_token,
                               .created_at = now,
                               .expires_at = signed_in.expires_at};
  if (auto created = store_.Sessions().Create(session); !created) {
    return fail(created.error());
  }
  // Housekeeping; a failure here costs nothing but disk.
  if (auto swept = store_.Sessions().DeleteExpired(now); !swept) {
    spdlog::warn("could not delete expired sessions: {}", swept.error().message);
  }
  return signed_in;
}

Status Accounts::SignOut(const Principal& principal) {
  if (principal.method != AuthMethod::kSession) {
    return {};
  }
  return store_.Sessions().Delete(principal.session_id_hash);
}

Result<Principal> Accounts::AuthenticateSession(std::string_view session_id) {
  if (session_id.empty() || session_id.size() > 256) {
    return Unauthenticated("session is unknown or expired");
  }
  const std::string id_hash = Sha256Hex(session_id);
  // The session and its user in one read.
  auto found = store_.Sessions().Get(id_hash, clock_.Now());
  if (!found) {
    return tl::unexpected(AsUnauthenticated(found.error(), "session"));
  }
  return Principal{.user = std::move(found->user),
                   .method = AuthMethod::kSession,
                   .session_id_hash = id_hash,
                   .csrf_token = std::move(found->session.csrf_token)};
}

Result<Principal> Accounts::AuthenticateBearer(std::string_view token) {
  if (!token.starts_with(kApiTokenPrefix) || token.size() > 256) {
    return Unauthenticated("API token is unknown");
  }
  // The token and its user in one read.
  auto found = store_.Sessions().GetApiToken(Sha256Hex(token));
  if (!found) {
    return tl::unexpected(AsUnauthenticated(found.error(), "API token"));
  }
  Principal principal;
  principal.user = std::move(found->user);
  principal.method = AuthMethod::kBearer;
  return principal;
}

Result<domain::User> Accounts::UpdateSettings(const Principal& caller, const SettingsInput& input) {
  // Read the stored row, not the session's copy: another change may have landed since.
  auto user = store_.Users().Get(caller.user.id);
  if (!user) {
    return tl::unexpected(user.error());
  }
  if (input.timezone) {
    auto timezone = domain::ValidateTimeZone("timezone", *input.timezone);
    if (!timezone) {
      return tl::unexpected(timezone.error());
    }
    user->timezone = std::move(*timezone);
  }
  if (input.auto_log_day_end) {
    user->auto_log_day_end = *input.auto_log_day_end;
  }
  if (auto updated = store_.Users().Update(*user); !updated) {
    return tl::unexpected(updated.error());
  }
  return user;
}

Result<std::optional<BootstrapAdmin>> Accounts::EnsureAdministrator(const std::string& data_dir) {
  auto count = store_.Users().Count();
  if (!count) {
    return tl::unexpected(count.error());
  }
  if (*count > 0) {
    return std::optional<BootstrapAdmin>();
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Internal(fmt::format("cannot create the data directory {}: {}", data_dir, ec.message()));
  }
  const std::string path = (std::filesystem::path(data_dir) / kBootstrapPasswordFile).string();
  // The password is on disk before the administrator exists: an administrator whose password
  // is nowhere would lock everyone out. A private name, so a node that loses the race to
  // create the administrator removes only its own file.
  const std::string pending = fmt::format("{}.{}", path, RandomToken(6));
  const std::string password = RandomToken(18);
  if (auto written = WritePrivateFile(pending, password + "\n"); !written) {
    return tl::unexpected(written.error());
  }
  auto created = AddUser(AddUserInput{.email = std::string(kBootstrapAdminEmail),
                                      .name = "Administrator",
                                      .role = "admin",
                                      .timezone = "UTC",
                                      .password = password});
  if (!created) {
    std::filesystem::remove(pending, ec);
    if (created.error().code == ErrorCode::kConflict) {
      return std::optional<BootstrapAdmin>();  // another node was first
    }
    return tl::unexpected(created.error());
  }
  std::filesystem::rename(pending, path, ec);
  if (ec) {
    return Internal(
        fmt::format("the administrator's password is in {}, which could not be "
                    "renamed to {}: {}",
                    pending, path, ec.message()));
  }
  return std::optional<BootstrapAdmin>(
      BootstrapAdmin{.email = created->email, .password_file = path});
}

}  // namespace worklog::app

#pragma once

#include <string>

#include "domain/user.h"

namespace worklog::app {

enum class AuthMethod { kSession, kBearer };

// Who is making a request, as established by a session cookie or a personal API token.
struct Principal {
  domain::User user;
  AuthMethod method = AuthMethod::kBearer;
  std::string session_id_hash;  // kSession only
  std::string csrf_token;       // kSession only: what X-CSRF-Token must carry

  bool IsAdmin() const { return user.role == domain::Role::kAdmin; }
};

}  // namespace worklog::app

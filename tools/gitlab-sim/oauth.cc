// Browser sign-in (Devise-like form, cookie session) and the OAuth 2 provider (Doorkeeper-like):
// /users/sign_in, /oauth/authorize, /oauth/token, /oauth/revoke, /oauth/token/info.

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "common/crypto.h"
#include "gitlab-sim/impl.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim {
namespace {

constexpr const char* kCookie = "_gitlab_session";
constexpr auto kGrantLifetime = std::chrono::minutes{10};

const char* const kInvalidClient =
    "Client authentication failed due to unknown client, no client authentication included, or "
    "unsupported authentication method.";
const char* const kInvalidGrant =
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client.";
const char* const kInvalidRedirect = "The redirect uri included is not valid.";
const char* const kInvalidScope = "The requested scope is invalid, unknown, or malformed.";
const char* const kUnsupportedResponseType =
    "The authorization server does not support this response type.";
const char* const kAccessDenied = "The resource owner or authorization server denied the request.";

std::string Html(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · GitLab</title>"
      "</head>\n<body class=\"gl-gitlab-sim\">\n<h1>{}</h1>\n{}\n</body></html>\n",
      Html(title), Html(title), body);
}

void SendHtml(Ctx& ctx, int status, const std::string& html) {
  ctx.res.status = status;
  ctx.res.set_content(html, "text/html; charset=utf-8");
}

void Redirect(Ctx& ctx, const std::string& location) {
  ctx.res.status = 302;
  ctx.res.set_header("Location", location);
  ctx.res.set_content(
      "<html><body>You are being <a href=\"" + Html(location) + "\">redirected</a>.</body></html>",
      "text/html; charset=utf-8");
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < header.size()) {
    const auto end = std::min(header.find(';', pos), header.size());
    std::string part = header.substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    if (part.rfind(name + "=", 0) == 0) {
      return part.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return "";
}

void SetSessionCookie(Ctx& ctx, const std::string& id) {
  ctx.res.set_header("Set-Cookie",
                     std::string(kCookie) + "=" + id + "; path=/; HttpOnly; SameSite=Lax");
}

std::vector<std::string> SplitScopes(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : text) {
    if (c == ' ' || c == '+' || c == ',') {
      if (!current.empty()) {
        out.push_back(current);
      }
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) {
    out.push_back(current);
  }
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    out += (out.empty() ? "" : " ") + s;
  }
  return out;
}

std::string WithQuery(const std::string& uri,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = uri;
  char sep = uri.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : params) {
    out += sep + key + "=" + UrlEncode(value);
    sep = '&';
  }
  return out;
}

void TokenError(Ctx& ctx, int status, const std::string& error, const std::string& description) {
  ctx.res.set_header("Cache-Control", "no-store");
  ctx.res.set_header("Pragma", "no-cache");
  if (status == 401) {
    ctx.res.set_header("WWW-Authenticate", fmt::format(R"(Bearer realm="Doorkeeper", error="{}", )"
                                                       R"(error_description="{}")",
                                                       error, description));
  }
  SendJson(ctx, status, json{{"error", error}, {"error_description", description}});
}

// The authorization request as validated from query (GET) or form (POST).
struct AuthorizeRequest {
  const Application* app = nullptr;
  std::string redirect_uri;
  std::string state;
  std::vector<std::string> scopes;
  std::string code_challenge;
  std::string code_challenge_method;
};

class OAuthRoutes {
 public:
  explicit OAuthRoutes(GitLabSim::Impl& sim) : state_(sim.state) {}

  static void Register(GitLabSim::Impl& sim, const std::shared_ptr<OAuthRoutes>& self) {
    auto add = [&sim, &self](const char* method, const char* path, void (OAuthRoutes::*fn)(Ctx&)) {
      sim.AddRoute(method, path, Need::kNone, [self, fn](Ctx& ctx) { ((*self).*fn)(ctx); });
    };
    add("GET", "/", &OAuthRoutes::Home);
    add("GET", "/users/sign_in", &OAuthRoutes::SignInPage);
    add("POST", "/users/sign_in", &OAuthRoutes::SignIn);
    for (const char* method : {"GET", "POST", "DELETE"}) {
      add(method, "/users/sign_out", &OAuthRoutes::SignOut);
    }
    add("GET", "/oauth/authorize", &OAuthRoutes::AuthorizeGet);
    add("POST", "/oauth/authorize", &OAuthRoutes::AuthorizeForm);
    add("DELETE", "/oauth/authorize", &OAuthRoutes::AuthorizeDeny);
    add("POST", "/oauth/token", &OAuthRoutes::Token);
    add("POST", "/oauth/revoke", &OAuthRoutes::Revoke);
    add("GET", "/oauth/token/info", &OAuthRoutes::TokenInfo);
    add("GET", "/oauth/userinfo", &OAuthRoutes::UserInfo);
  }

 private:
  const User* SignedIn(Ctx& ctx) {
    const Session* session = state_.FindSession(CookieValue(ctx.req, kCookie));
    return session == nullptr ? nullptr : state_.FindUser(session->user_id);
  }

  void Home(Ctx& ctx) {
    const User* user = SignedIn(ctx);
    if (user == nullptr) {
      Redirect(ctx, ctx.base_url + "/users/sign_in");
      return;
    }
    SendHtml(ctx, 200,
             Page("GitLab", "<p id=\"signed-in-as\">Signed in as <strong>" + Html(user->username) +
                                "</strong></p><form method=\"post\" action=\"/users/sign_out\">"
                                "<button type=\"submit\">Sign out</button></form>"));
  }

  void SignInPage(Ctx& ctx) { SignInForm(ctx, ""); }
  void AuthorizeForm(Ctx& ctx) { AuthorizePost(ctx, ctx.Str("_method") == "delete"); }
  void AuthorizeDeny(Ctx& ctx) { AuthorizePost(ctx, true); }

  void SignInForm(Ctx& ctx, const std::string& alert) {
    if (alert.empty() && SignedIn(ctx) != nullptr) {
      Redirect(ctx, ctx.base_url + "/");
      return;
    }
    std::string body;
    if (!alert.empty()) {
      body += R"(<div class="flash-alert" role="alert">)" + Html(alert) + "</div>\n";
    }
    body +=
        "<form id=\"new_user\" class=\"new_user\" action=\"/users/sign_in\" method=\"post\">\n"
        "<input type=\"hidden\" name=\"authenticity_token\" value=\"" +
        RandomToken(24) +
        "\">\n"
        "<label for=\"user_login\">Username or primary email</label>\n"
        "<input type=\"text\" name=\"user[login]\" id=\"user_login\" autocomplete=\"username\" "
        "data-testid=\"username-field\">\n"
        "<label for=\"user_password\">Password</label>\n"
        "<input type=\"password\" name=\"user[password]\" id=\"user_password\" "
        "autocomplete=\"current-password\" data-testid=\"password-field\">\n"
        "<button type=\"submit\" name=\"button\" data-testid=\"sign-in-button\">Sign in</button>\n"
        "</form>";
    SendHtml(ctx, 200, Page("Sign in", body));
  }

  void SignIn(Ctx& ctx) {
    const User* user = state_.FindUserByLogin(ctx.Str("user[login]"));
    if (user == nullptr || user->state != "active" ||
        !state_.CheckPassword(*user, ctx.Str("user[password]"))) {
      SignInForm(ctx, "Invalid login or password.");
      return;
    }
    const std::string old = CookieValue(ctx.req, kCookie);
    std::string return_to = "/";
    if (const Session* session = state_.FindSession(old)) {
      if (!session->return_to.empty()) {
        return_to = session->return_to;
      }
      state_.EndSession(old);
    }
    SetSessionCookie(ctx, state_.CreateSession(user->id, ""));
    Redirect(ctx, ctx.base_url + return_to);
  }

  void SignOut(Ctx& ctx) {
    state_.EndSession(CookieValue(ctx.req, kCookie));
    ctx.res.set_header("Set-Cookie", std::string(kCookie) + "=; path=/; Max-Age=0");
    Redirect(ctx, ctx.base_url + "/users/sign_in");
  }

  // Validates client and redirect URI (errors shown to the user), then the rest (errors sent
  // back to the client's redirect URI). Returns nullopt when a response was sent.
  std::optional<AuthorizeRequest> Validate(Ctx& ctx) {
    AuthorizeRequest out;
    out.app = state_.FindApplicationByUid(ctx.Str("client_id"));
    if (out.app == nullptr) {
      SendHtml(
          ctx, 401,
          Page("An error has occurred", "<p class=\"error\">" + Html(kInvalidClient) + "</p>"));
      return std::nullopt;
    }
    out.redirect_uri = ctx.Str("redirect_uri");
    if (std::find(out.app->redirect_uris.begin(), out.app->redirect_uris.end(), out.redirect_uri) ==
        out.app->redirect_uris.end()) {
      SendHtml(
          ctx, 400,
          Page("An error has occurred", "<p class=\"error\">" + Html(kInvalidRedirect) + "</p>"));
      return std::nullopt;
    }
    out.state = ctx.Str("state");
    auto fail = [&](const std::string& error, const std::string& description) {
      std::vector<std::pair<std::string, std::string>> params{{"error", error},
                                                              {"error_description", description}};
      if (!out.state.empty()) {
        params.emplace_back("state", out.state);
      }
      Redirect(ctx, WithQuery(out.redirect_uri, params));
      return std::nullopt;
    };
    if (ctx.Str("response_type") != "code") {
      return fail(ctx.Has("response_type") ? "unsupported_response_type" : "invalid_request",
                  ctx.Has("response_type")
                      ? kUnsupportedResponseType
                      : "The request is missing a required parameter, includes an unsupported "
                        "parameter value, or is otherwise malformed. Missing required parameter: "
                        "response_type.");
    }
    out.scopes = SplitScopes(ctx.Str("scope"));
    if (out.scopes.empty()) {
      out.scopes = {"api"};  // GitLab's default scope
    }
    for (const std::string& scope : out.scopes) {
      if (std::find(out.app->scopes.begin(), out.app->scopes.end(), scope) ==
          out.app->scopes.end()) {
        return fail("invalid_scope", kInvalidScope);
      }
    }
    out.code_challenge = ctx.Str("code_challenge");
    out.code_challenge_method = ctx.Str("code_challenge_method");
    if (!out.code_challenge.empty() && out.code_challenge_method.empty()) {
      out.code_challenge_method = "plain";
    }
    if (!out.code_challenge_method.empty() && out.code_challenge_method != "S256" &&
        out.code_challenge_method != "plain") {
      return fail("invalid_request", "The code challenge method must be plain or S256.");
    }
    if (!out.code_challenge_method.empty() && out.code_challenge.empty()) {
      return fail("invalid_request",
                  "The request is missing a required parameter, includes an unsupported "
                  "parameter value, or is otherwise malformed. Missing required parameter: "
                  "code_challenge.");
    }
    return out;
  }

  void IssueCode(Ctx& ctx, const AuthorizeRequest& request, const User& user) {
    const Grant& grant =
        state_.CreateGrant(request.app->id, user.id, request.redirect_uri, request.scopes,
                           request.code_challenge, request.code_challenge_method);
    std::vector<std::pair<std::string, std::string>> params{{"code", grant.code}};
    if (!request.state.empty()) {
      params.emplace_back("state", request.state);
    }
    Redirect(ctx, WithQuery(request.redirect_uri, params));
  }

  void RequireSignIn(Ctx& ctx) {
    const std::string id = state_.CreateSession(0, ctx.req.target);
    SetSessionCookie(ctx, id);
    Redirect(ctx, ctx.base_url + "/users/sign_in");
  }

  void AuthorizeGet(Ctx& ctx) {
    const auto request = Validate(ctx);
    if (!request) {
      return;
    }
    const User* user = SignedIn(ctx);
    if (user == nullptr) {
      RequireSignIn(ctx);
      return;
    }
    // Doorkeeper skips the consent screen for a trusted app, or when the user already holds a
    // live token of this confidential app with the same scopes.
    if (request->app->trusted ||
        (request->app->confidential &&
         state_.HasMatchingOAuthToken(request->app->id, user->id, request->scopes))) {
      IssueCode(ctx, *request, *user);
      return;
    }
    auto hidden = [](const char* name, const std::string& value) {
      return fmt::format("<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", name, Html(value));
    };
    std::string fields = hidden("client_id", request->app->uid) +
                         hidden("redirect_uri", request->redirect_uri) +
                         hidden("state", request->state) + hidden("response_type", "code") +
                         hidden("scope", JoinScopes(request->scopes)) +
                         hidden("code_challenge", request->code_challenge) +
                         hidden("code_challenge_method", request->code_challenge_method);
    std::string scopes;
    for (const std::string& scope : request->scopes) {
      scopes += "<li class=\"scope\">" + Html(scope) + "</li>";
    }
    const std::string body =
        "<p>An application called <strong class=\"application-name\">" + Html(request->app->name) +
        "</strong> is requesting access to your GitLab account (" + Html(user->username) +
        ").</p>\n<p>This application will be able to:</p><ul>" + scopes +
        "</ul>\n<form action=\"/oauth/authorize\" method=\"post\" id=\"authorize-form\">\n" +
        fields +
        "<button type=\"submit\" name=\"commit\" value=\"Authorize\" "
        "data-testid=\"authorization-button\">Authorize " +
        Html(request->app->name) +
        "</button>\n</form>\n<form action=\"/oauth/authorize\" method=\"post\" id=\"deny-form\">\n"
        "<input type=\"hidden\" name=\"_method\" value=\"delete\">\n" +
        fields + "<button type=\"submit\" name=\"commit\" value=\"Deny\">Deny</button>\n</form>";
    SendHtml(ctx, 200, Page("Authorize " + request->app->name + " to use your account?", body));
  }

  void AuthorizePost(Ctx& ctx, bool deny) {
    const auto request = Validate(ctx);
    if (!request) {
      return;
    }
    const User* user = SignedIn(ctx);
    if (user == nullptr) {
      RequireSignIn(ctx);
      return;
    }
    if (deny) {
      std::vector<std::pair<std::string, std::string>> params{{"error", "access_denied"},
                                                              {"error_description", kAccessDenied}};
      if (!request->state.empty()) {
        params.emplace_back("state", request->state);
      }
      Redirect(ctx, WithQuery(request->redirect_uri, params));
      return;
    }
    IssueCode(ctx, *request, *user);
  }

  // Client credentials from HTTP Basic or the body. `secret` stays empty when none was sent.
  bool ClientCredentials(Ctx& ctx, std::string& id, std::string& secret) {
    const std::string authorization = ctx.req.get_header_value("Authorization");
    if (authorization.rfind("Basic ", 0) == 0) {
      std::string decoded;
      // Base64 (standard alphabet) decode of "id:secret".
      static const std::string alphabet =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      unsigned int buffer = 0;
      int bits = 0;
      for (const char c : authorization.substr(6)) {
        const auto pos = alphabet.find(c);
        if (pos == std::string::npos) {
          continue;
        }
        buffer = (buffer << 6) | static_cast<unsigned int>(pos);
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          decoded += static_cast<char>((buffer >> bits) & 0xffU);
        }
      }
      const auto colon = decoded.find(':');
      if (colon == std::string::npos) {
        return false;
      }
      id = httplib::detail::decode_url(decoded.substr(0, colon), true);
      secret = httplib::detail::decode_url(decoded.substr(colon + 1), true);
      return true;
    }
    id = ctx.Str("client_id");
    secret = ctx.Str("client_secret");
    return !id.empty();
  }

  void SendToken(Ctx& ctx, const OAuthToken& token) {
    ctx.res.set_header("Cache-Control", "no-store");
    ctx.res.set_header("Pragma", "no-cache");
    SendJson(ctx, 200,
             json{{"access_token", token.token},
                  {"token_type", "Bearer"},
                  {"expires_in", token.expires_in},
                  {"refresh_token", token.refresh_token},
                  {"scope", JoinScopes(token.scopes)},
                  {"created_at", std::chrono::duration_cast<std::chrono::seconds>(
                                     token.created_at.time_since_epoch())
                                     .count()}});
  }

  void Token(Ctx& ctx) {
    const std::string grant_type = ctx.Str("grant_type");
    if (grant_type.empty()) {
      TokenError(ctx, 400, "invalid_request",
                 "The request is missing a required parameter, includes an unsupported parameter "
                 "value, or is otherwise malformed. Missing required parameter: grant_type.");
      return;
    }
    if (grant_type != "authorization_code" && grant_type != "refresh_token") {
      TokenError(ctx, 400, "unsupported_grant_type",
                 "The authorization grant type is not supported by the authorization server.");
      return;
    }
    std::string client_id;
    std::string client_secret;
    if (!ClientCredentials(ctx, client_id, client_secret)) {
      TokenError(ctx, 401, "invalid_client", kInvalidClient);
      return;
    }
    const Application* app = state_.FindApplicationByUid(client_id);
    if (app == nullptr ||
        (!client_secret.empty() && !ConstantTimeEquals(app->secret, client_secret))) {
      TokenError(ctx, 401, "invalid_client", kInvalidClient);
      return;
    }
    if (grant_type == "authorization_code") {
      const std::string code = ctx.Str("code");
      if (code.empty()) {
        TokenError(ctx, 400, "invalid_request",
                   "The request is missing a required parameter, includes an unsupported "
                   "parameter value, or is otherwise malformed. Missing required parameter: code.");
        return;
      }
      Grant* grant = state_.FindGrant(code);
      if (grant == nullptr || grant->used || grant->application_id != app->id ||
          state_.Now() > grant->created_at + kGrantLifetime ||
          grant->redirect_uri != ctx.Str("redirect_uri")) {
        TokenError(ctx, 400, "invalid_grant", kInvalidGrant);
        return;
      }
      const std::string verifier = ctx.Str("code_verifier");
      if (!grant->code_challenge.empty()) {
        if (verifier.empty()) {
          TokenError(ctx, 400, "invalid_request",
                     "The request is missing a required parameter, includes an unsupported "
                     "parameter value, or is otherwise malformed. Missing required parameter: "
                     "code_verifier.");
          return;
        }
        const std::string computed =
            grant->code_challenge_method == "S256" ? Base64UrlEncode(Sha256(verifier)) : verifier;
        if (!ConstantTimeEquals(computed, grant->code_challenge)) {
          TokenError(ctx, 400, "invalid_grant", kInvalidGrant);
          return;
        }
      } else if (client_secret.empty() && app->confidential) {
        // Without PKCE a confidential client must authenticate.
        TokenError(ctx, 401, "invalid_client", kInvalidClient);
        return;
      }
      grant->used = true;
      SendToken(ctx, state_.CreateOAuthToken(app->id, grant->user_id, grant->scopes));
      return;
    }
    const std::string refresh = ctx.Str("refresh_token");
    if (refresh.empty()) {
      TokenError(ctx, 400, "invalid_request",
                 "The request is missing a required parameter, includes an unsupported parameter "
                 "value, or is otherwise malformed. Missing required parameter: refresh_token.");
      return;
    }
    OAuthToken* old = state_.FindOAuthTokenByRefresh(refresh);
    if (old == nullptr || old->revoked || old->application_id != app->id) {
      TokenError(ctx, 400, "invalid_grant", kInvalidGrant);
      return;
    }
    std::vector<std::string> scopes = old->scopes;
    if (ctx.Has("scope")) {
      const auto wanted = SplitScopes(ctx.Str("scope"));
      for (const std::string& s : wanted) {
        if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) {
          TokenError(ctx, 400, "invalid_scope", kInvalidScope);
          return;
        }
      }
      scopes = wanted;
    }
    // Rotation: the old access and refresh tokens stop working at once.
    old->revoked = true;
    const Id user_id = old->user_id;
    SendToken(ctx, state_.CreateOAuthToken(app->id, user_id, scopes));
  }

  void Revoke(Ctx& ctx) {
    std::string client_id;
    std::string client_secret;
    const bool has_client = ClientCredentials(ctx, client_id, client_secret);
    const Application* app = has_client ? state_.FindApplicationByUid(client_id) : nullptr;
    if (has_client && (app == nullptr || (!client_secret.empty() &&
                                          !ConstantTimeEquals(app->secret, client_secret)))) {
      TokenError(ctx, 401, "invalid_client", kInvalidClient);
      return;
    }
    const std::string token = ctx.Str("token");
    OAuthToken* found = state_.FindOAuthToken(token);
    if (found == nullptr) {
      found = state_.FindOAuthTokenByRefresh(token);
    }
    if (found != nullptr && (app == nullptr || found->application_id == app->id)) {
      found->revoked = true;
    }
    SendJson(ctx, 200, json::object());
  }

  const OAuthToken* BearerToken(Ctx& ctx, std::string& problem) {
    std::string token = ctx.Str("access_token");
    const std::string authorization = ctx.req.get_header_value("Authorization");
    if (authorization.size() > 7 &&
        (authorization.rfind("Bearer ", 0) == 0 || authorization.rfind("bearer ", 0) == 0)) {
      token = authorization.substr(7);
    }
    const OAuthToken* found = state_.FindOAuthToken(token);
    if (found == nullptr) {
      problem = "The access token is invalid";
    } else if (found->revoked) {
      problem = "The access token was revoked";
    } else if (state_.OAuthTokenExpired(*found)) {
      problem = "The access token expired";
    }
    return problem.empty() ? found : nullptr;
  }

  void TokenInfo(Ctx& ctx) {
    std::string problem;
    const OAuthToken* token = BearerToken(ctx, problem);
    if (token == nullptr) {
      TokenError(ctx, 401, "invalid_token", problem);
      return;
    }
    const auto remaining =
        std::chrono::duration_cast<std::chrono::seconds>(
            token->created_at + std::chrono::seconds{token->expires_in} - state_.Now())
            .count();
    const Application* app = nullptr;
    for (const auto& [id, a] : state_.applications()) {
      if (id == token->application_id) {
        app = &a;
      }
    }
    SendJson(ctx, 200,
             json{{"resource_owner_id", token->user_id},
                  {"scope", token->scopes},
                  {"expires_in", remaining},
                  {"application", {{"uid", app != nullptr ? app->uid : ""}}},
                  {"created_at", std::chrono::duration_cast<std::chrono::seconds>(
                                     token->created_at.time_since_epoch())
                                     .count()},
                  {"scopes", token->scopes},
                  {"expires_in_seconds", remaining}});
  }

  void UserInfo(Ctx& ctx) {
    std::string problem;
    const OAuthToken* token = BearerToken(ctx, problem);
    if (token == nullptr) {
      TokenError(ctx, 401, "invalid_token", problem);
      return;
    }
    const User* user = state_.FindUser(token->user_id);
    const bool email_scope =
        std::find(token->scopes.begin(), token->scopes.end(), "email") != token->scopes.end();
    SendJson(ctx, 200,
             json{{"sub", std::to_string(user->id)},
                  {"sub_legacy", Sha256Hex(std::to_string(user->id))},
                  {"name", user->name},
                  {"nickname", user->username},
                  {"preferred_username", user->username},
                  {"email", email_scope ? user->email : user->public_email},
                  {"email_verified", true},
                  {"website", ""},
                  {"profile", state_.UserWebUrl(*user)},
                  {"picture", nullptr},
                  {"groups", json::array()}});
  }

  State& state_;
};

}  // namespace

void RegisterOAuthRoutes(GitLabSim::Impl& sim) {
  // The routes share ownership of the handler object.
  OAuthRoutes::Register(sim, std::make_shared<OAuthRoutes>(sim));
}

}  // namespace worklog::gitlab_sim

#include "gitlab/oauth.h"

#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "gitlab/http_call.h"

namespace worklog::gitlab {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

Status ValidateJsonObject(const HttpResponse& response) {
  try {
    if (nlohmann::json::parse(response.body).is_object()) {
      return {};
    }
  } catch (const nlohmann::json::parse_error& e) {
    return Unavailable(
        fmt::format("GitLab sent invalid JSON from its token endpoint (byte {} "
                    "of {}; truncated?)",
                    e.byte, response.body.size()));
  }
  return Unavailable("GitLab's token endpoint did not answer with a JSON object");
}

// RFC 6749 §5.2 "error" of a token endpoint answer, or empty.
std::string OAuthErrorCode(const HttpResponse& response) {
  try {
    const auto body = nlohmann::json::parse(response.body);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
      return body["error"].get<std::string>();
    }
  } catch (const nlohmann::json::exception&) {
  }
  return {};
}

}  // namespace

std::string GenerateCodeVerifier() { return RandomToken(32); }  // 43 characters

std::string PkceChallengeS256(std::string_view code_verifier) {
  return Base64UrlEncode(Sha256(code_verifier));
}

std::string GenerateState() { return RandomToken(32); }

std::string BuildAuthorizeUrl(const OAuthApp& app, std::string_view state,
                              std::string_view code_challenge, std::string_view scopes) {
  const Params params = {
      {"client_id", app.client_id},     {"redirect_uri", app.redirect_uri},
      {"response_type", "code"},        {"state", std::string(state)},
      {"scope", std::string(scopes)},   {"code_challenge", std::string(code_challenge)},
      {"code_challenge_method", "S256"}};
  return app.base_url.Url("/oauth/authorize") + "?" + internal::EncodeParams(params);
}

AuthorizationRequest BeginAuthorization(const OAuthApp& app, std::string_view scopes) {
  AuthorizationRequest request;
  request.state = GenerateState();
  request.code_verifier = GenerateCodeVerifier();
  request.authorize_url =
      BuildAuthorizeUrl(app, request.state, PkceChallengeS256(request.code_verifier), scopes);
  return request;
}

OAuthClient::OAuthClient(Transport& transport, OAuthApp app, OAuthClientOptions options)
    : transport_(transport), app_(std::move(app)), options_(options) {}

Result<TokenSet> OAuthClient::ExchangeCode(std::string_view code,
                                           std::string_view code_verifier) const {
  if (code.empty()) {
    return InvalidArgument("code", "is missing from GitLab's callback");
  }
  Params params = {{"client_id", app_.client_id},
                   {"code", std::string(code)},
                   {"grant_type", "authorization_code"},
                   {"redirect_uri", app_.redirect_uri},
                   {"code_verifier", std::string(code_verifier)}};
  if (!app_.client_secret.empty()) {
    params.emplace_back("client_secret", app_.client_secret);
  }
  return RequestToken(internal::EncodeParams(params), "authorization code",
                      {std::string(code), std::string(code_verifier)});
}

Result<TokenSet> OAuthClient::Refresh(std::string_view refresh_token) const {
  if (refresh_token.empty()) {
    return Unauthenticated("GitLab re-authorization needed: no refresh token is stored");
  }
  Params params = {{"client_id", app_.client_id},
                   {"refresh_token", std::string(refresh_token)},
                   {"grant_type", "refresh_token"},
                   {"redirect_uri", app_.redirect_uri}};
  if (!app_.client_secret.empty()) {
    params.emplace_back("client_secret", app_.client_secret);
  }
  auto tokens =
      RequestToken(internal::EncodeParams(params), "refresh token", {std::string(refresh_token)});
  if (tokens && tokens->refresh_token.empty()) {
    tokens->refresh_token = std::string(refresh_token);  // the server does not rotate
  }
  return tokens;
}

Result<TokenSet> OAuthClient::RequestToken(std::string body, std::string_view grant,
                                           std::vector<std::string> secrets_in_body) const {
  const Clock& clock = options_.clock != nullptr ? *options_.clock : DefaultClock();
  Sleeper& sleeper = options_.sleeper != nullptr ? *options_.sleeper : DefaultSleeper();
  internal::Call call;
  call.request.method = "POST";
  call.request.url = app_.base_url.Url("/oauth/token");
  call.request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"Accept", "application/json"}};
  call.request.body = std::move(body);
  call.request.connect_timeout = options_.connect_timeout;
  call.request.total_timeout = options_.total_timeout;
  call.idempotent = false;  // a code is single-use and a refresh token rotates
  call.what = "POST /oauth/token";
  call.secrets = std::move(secrets_in_body);
  call.secrets.push_back(app_.client_secret);
  const std::vector<std::string_view> secrets(call.secrets.begin(), call.secrets.end());

  auto response = internal::SendWithRetries({transport_, sleeper, clock, options_.retry}, call,
                                            &ValidateJsonObject);
  if (!response) {
    Error error = std::move(response.error());
    error.message = internal::Redact(std::move(error.message), secrets);
    error.field.clear();
    return tl::unexpected(std::move(error));
  }
  if (response->status != 200) {
    Error error = internal::StatusError(call.what, *response);
    error.message = internal::Redact(std::move(error.message), secrets);
    const std::string oauth_error = OAuthErrorCode(*response);
    if (response->status == 400 || response->status == 401 || !oauth_error.empty()) {
      if (oauth_error == "invalid_client") {
        error.message += "; check the OAuth application id and secret";
      }
      spdlog::warn("gitlab token request ({}) rejected: status={} error={}", grant,
                   response->status, internal::Redact(oauth_error, secrets).substr(0, 64));
      return Unauthenticated(fmt::format(
          "GitLab re-authorization needed: GitLab rejected the {} ({})", grant, error.message));
    }
    return tl::unexpected(std::move(error));
  }

  const auto json = nlohmann::json::parse(response->body);  // validated above
  TokenSet tokens;
  tokens.access_token = json.value("access_token", "");
  if (tokens.access_token.empty()) {
    return Unavailable("GitLab's token endpoint answered without an access_token");
  }
  if (json.contains("refresh_token") && json["refresh_token"].is_string()) {
    tokens.refresh_token = json["refresh_token"].get<std::string>();
  }
  if (json.contains("token_type") && json["token_type"].is_string()) {
    tokens.token_type = json["token_type"].get<std::string>();
  }
  if (json.contains("scope") && json["scope"].is_string()) {
    tokens.scope = json["scope"].get<std::string>();
  }
  if (json.contains("expires_in") && json["expires_in"].is_number_integer()) {
    tokens.expires_in = std::chrono::seconds(json["expires_in"].get<int64_t>());
  }
  tokens.created_at = clock.Now();
  if (json.contains("created_at") && json["created_at"].is_number_integer()) {
    tokens.created_at = TimePoint(std::chrono::seconds(json["created_at"].get<int64_t>()));
  }
  spdlog::info("gitlab token obtained grant=\"{}\" expires_in={}s", grant,
               tokens.expires_in.count());
  return tokens;
}

Status OAuthClient::Revoke(std::string_view token) const {
  if (token.empty()) {
    return {};
  }
  const Clock& clock = options_.clock != nullptr ? *options_.clock : DefaultClock();
  Sleeper& sleeper = options_.sleeper != nullptr ? *options_.sleeper : DefaultSleeper();
  Params params = {{"client_id", app_.client_id}, {"token", std::string(token)}};
  if (!app_.client_secret.empty()) {
    params.emplace_back("client_secret", app_.client_secret);
  }
  internal::Call call;
  call.request.method = "POST";
  call.request.url = app_.base_url.Url("/oauth/revoke");
  call.request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"Accept", "application/json"}};
  call.request.body = internal::EncodeParams(params);
  call.request.connect_timeout = options_.connect_timeout;
  call.request.total_timeout = options_.total_timeout;
  call.idempotent = true;  // revoking twice is harmless
  call.what = "POST /oauth/revoke";
  call.secrets = {std::string(token), app_.client_secret};
  const std::vector<std::string_view> secrets = {token, app_.client_secret};

  auto response = internal::SendWithRetries({transport_, sleeper, clock, options_.retry}, call, {});
  if (!response) {
    Error error = std::move(response.error());
    error.message = internal::Redact(std::move(error.message), secrets);
    error.field.clear();
    return tl::unexpected(std::move(error));
  }
  if (response->status != 200) {
    Error error = internal::StatusError(call.what, *response);
    error.message = internal::Redact(std::move(error.message), secrets);
    return tl::unexpected(std::move(error));
  }
  return {};
}

}  // namespace worklog::gitlab

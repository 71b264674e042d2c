// Request parameters, GitLab's error bodies and pagination headers.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "gitlab-sim/impl.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim {
namespace {

std::string Scalar(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_boolean()) {
    return value.get<bool>() ? "true" : "false";
  }
  return value.dump();
}

// The query string of the request without `drop` keys, URL-encoded again.
std::string QueryWithout(const httplib::Request& req, const std::vector<std::string>& drop) {
  std::string out;
  for (const auto& [key, value] : req.params) {
    if (std::find(drop.begin(), drop.end(), key) != drop.end()) {
      continue;
    }
    out += (out.empty() ? "" : "&") + UrlEncode(key) + "=" + UrlEncode(value);
  }
  return out;
}

std::string RawPath(const httplib::Request& req) {
  const auto q = req.target.find('?');
  return q == std::string::npos ? req.target : req.target.substr(0, q);
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::optional<std::string> Ctx::Param(const std::string& name) const {
  if (body.is_object()) {
    const auto it = body.find(name);
    if (it != body.end() && !it->is_null()) {
      return Scalar(*it);
    }
  }
  if (req.has_param(name)) {
    return req.get_param_value(name);
  }
  return std::nullopt;
}

std::string Ctx::Str(const std::string& name, std::string fallback) const {
  auto value = Param(name);
  return value ? *value : std::move(fallback);
}

std::optional<bool> Ctx::Bool(const std::string& name) const {
  const auto value = Param(name);
  if (!value) {
    return std::nullopt;
  }
  return *value == "true" || *value == "1" || *value == "yes" || *value == "on";
}

std::optional<std::int64_t> Ctx::Int(const std::string& name) const {
  const auto value = Param(name);
  if (!value || value->empty() || value->size() > 18 ||
      !std::all_of(value->begin(), value->end(),
                   [](unsigned char c) { return std::isdigit(c) != 0 || c == '-'; })) {
    return std::nullopt;
  }
  return std::stoll(*value);
}

std::vector<std::string> Ctx::List(const std::string& name) const {
  std::vector<std::string> out;
  if (body.is_object()) {
    const auto it = body.find(name);
    if (it != body.end() && it->is_array()) {
      for (const json& v : *it) {
        out.push_back(Scalar(v));
      }
      return out;
    }
  }
  const std::string array_key = name + "[]";
  if (req.has_param(array_key)) {
    for (std::size_t i = 0; i < req.get_param_value_count(array_key); ++i) {
      out.push_back(req.get_param_value(array_key, i));
    }
    return out;
  }
  const auto value = Param(name);
  if (!value) {
    return out;
  }
  std::string current;
  for (const char c : *value) {
    if (c == ',' || c == ' ' || c == '+') {
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

std::optional<TimePoint> Ctx::Time(const std::string& name) const {
  const auto value = Param(name);
  if (!value) {
    return std::nullopt;
  }
  return ParseTime(*value);
}

Id Ctx::PathId(const std::string& name) const {
  const auto it = path.find(name);
  if (it == path.end() || it->second.empty() || it->second.size() > 18 ||
      !std::all_of(it->second.begin(), it->second.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return -1;
  }
  return std::stoll(it->second);
}

void SendJson(Ctx& ctx, int status, const json& body) {
  ctx.res.status = status;
  ctx.res.set_content(body.dump(), "application/json");
}

void SendMessage(Ctx& ctx, int status, const std::string& message) {
  SendJson(ctx, status, json{{"message", message}});
}

void SendError(Ctx& ctx, const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound:
      SendMessage(ctx, 404, error.message);
      return;
    case ErrorCode::kPermissionDenied:
      SendMessage(ctx, 403, error.message);
      return;
    case ErrorCode::kUnauthenticated:
      SendMessage(ctx, 401, error.message);
      return;
    case ErrorCode::kConflict:
      SendMessage(ctx, error.message.rfind("405", 0) == 0 ? 405 : 409, error.message);
      return;
    case ErrorCode::kInvalidArgument:
      if (error.field.empty()) {
        SendMessage(ctx, 400, error.message);
      } else if (error.message == "is missing" || error.message == "is invalid" ||
                 error.message == "does not have a valid value") {
        SendJson(ctx, 400, json{{"error", error.field + " " + error.message}});
      } else {
        SendJson(ctx, 400, json{{"message", {{error.field, json::array({error.message})}}}});
      }
      return;
    default:
      SendMessage(ctx, 500, "500 Internal Server Error");
  }
}

void SendPage(Ctx& ctx, const std::vector<json>& items, bool keyset_ok) {
  const std::string base = ctx.base_url + RawPath(ctx.req);
  auto per_page = ctx.Int("per_page").value_or(20);
  if (per_page < 1) {
    per_page = 20;
  }
  per_page = std::min<std::int64_t>(per_page, 100);
  const auto count = static_cast<std::int64_t>(items.size());
  if (ctx.Str("pagination") == "keyset") {
    if (!keyset_ok) {
      SendJson(ctx, 405, json{{"error", "Keyset pagination is not supported for this request"}});
      return;
    }
    const bool desc = ctx.Str("sort", "desc") == "desc";
    std::vector<json> page(items.begin(), items.begin() + std::min(count, per_page));
    if (count > per_page) {
      const Id last = page.back().at("id").get<Id>();
      const std::string query = QueryWithout(ctx.req, {"id_after", "id_before"});
      ctx.res.set_header(
          "Link", fmt::format("<{}?{}{}{}={}>; rel=\"next\"", base, query, query.empty() ? "" : "&",
                              desc ? "id_before" : "id_after", last));
    }
    SendJson(ctx, 200, json(page));
    return;
  }
  auto page_no = ctx.Int("page").value_or(1);
  if (page_no < 1) {
    page_no = 1;
  }
  const std::int64_t total_pages = std::max<std::int64_t>(1, (count + per_page - 1) / per_page);
  const std::int64_t start = std::min(count, (page_no - 1) * per_page);
  const std::int64_t end = std::min(count, start + per_page);
  std::vector<json> page(items.begin() + start, items.begin() + end);
  const std::string query = QueryWithout(ctx.req, {"page", "per_page"});
  auto link = [&](std::int64_t n, const char* rel) {
    return fmt::format("<{}?{}{}page={}&per_page={}>; rel=\"{}\"", base, query,
                       query.empty() ? "" : "&", n, per_page, rel);
  };
  std::vector<std::string> links;
  if (page_no > 1) {
    links.push_back(link(std::min(page_no - 1, total_pages), "prev"));
  }
  if (page_no < total_pages) {
    links.push_back(link(page_no + 1, "next"));
  }
  links.push_back(link(1, "first"));
  links.push_back(link(total_pages, "last"));
  std::string header;
  for (const std::string& l : links) {
    header += (header.empty() ? "" : ", ") + l;
  }
  ctx.res.set_header("Link", header);
  ctx.res.set_header("X-Page", std::to_string(page_no));
  ctx.res.set_header("X-Per-Page", std::to_string(per_page));
  ctx.res.set_header("X-Next-Page", page_no < total_pages ? std::to_string(page_no + 1) : "");
  ctx.res.set_header("X-Prev-Page", page_no > 1 ? std::to_string(page_no - 1) : "");
  ctx.res.set_header("X-Total", std::to_string(count));
  ctx.res.set_header("X-Total-Pages", std::to_string(total_pages));
  SendJson(ctx, 200, json(page));
}

}  // namespace worklog::gitlab_sim

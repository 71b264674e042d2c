#include "http/router.h"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace worklog::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  if (!path.empty() && path.front() == '/') {
    start = 1;
  }
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool Matches(const Route& route, const std::vector<std::string_view>& segments,
             std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != segments.size()) {
    return false;
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& expected = route.segments[i];
    if (IsParam(expected)) {
      if (segments[i].empty()) {
        return false;
      }
      if (params != nullptr) {
        params->emplace(expected.substr(1, expected.size() - 2), std::string(segments[i]));
      }
    } else if (expected != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteOptions options, Handler handler) {
  auto route = std::make_unique<Route>();
  for (const auto& segment : Split(pattern)) {
    route->segments.emplace_back(segment);
  }
  for (const auto& existing : routes_) {
    if (existing->method == method && existing->segments == route->segments) {
      spdlog::critical("route {} {} registered twice", method, pattern);
      std::abort();
    }
  }
  route->method = std::move(method);
  route->pattern = std::move(pattern);
  route->options = options;
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const auto segments = Split(path);
  Match match;
  // A literal segment beats a parameter: try routes without parameters in that position first
  // by preferring the route with the most literal segments.
  int best_literals = -1;
  for (const auto& route : routes_) {
    if (!Matches(*route, segments, nullptr)) {
      continue;
    }
    match.path_known = true;
    if (route->method != wanted) {
      if (std::find(match.allowed_methods.begin(), match.allowed_methods.end(), route->method) ==
          match.allowed_methods.end()) {
        match.allowed_methods.push_back(route->method);
      }
      continue;
    }
    const int literals = static_cast<int>(
        std::count_if(route->segments.begin(), route->segments.end(),
                      [](const std::string& segment) { return !IsParam(segment); }));
    if (literals > best_literals) {
      best_literals = literals;
      match.route = route.get();
    }
  }
  if (match.route != nullptr) {
    match.params.clear();
    Matches(*match.route, segments, &match.params);
  }
  return match;
}

}  // namespace worklog::http

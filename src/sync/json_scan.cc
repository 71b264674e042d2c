#include "sync/json_scan.h"

#include <cstddef>

namespace worklog::sync {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Index just past the string starting at `at` (a '"'), or npos.
std::size_t SkipString(std::string_view text, std::size_t at) {
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Index just past the value starting at `at`, or npos.
std::size_t SkipValue(std::string_view text, std::size_t at) {
  if (at >= text.size()) {
    return std::string_view::npos;
  }
  if (text[at] == '"') {
    return SkipString(text, at);
  }
  if (text[at] == '{' || text[at] == '[') {
    int depth = 0;
    for (std::size_t i = at; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '"') {
        i = SkipString(text, i);
        if (i == std::string_view::npos) {
          return i;
        }
        --i;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          return i + 1;
        }
      }
    }
    return std::string_view::npos;
  }
  std::size_t i = at;
  while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
         !IsSpace(text[i])) {
    ++i;
  }
  return i;
}

std::size_t SkipSpace(std::string_view text, std::size_t at) {
  while (at < text.size() && IsSpace(text[at])) {
    ++at;
  }
  return at;
}

}  // namespace

std::optional<std::string_view> TopLevelMember(std::string_view object, std::string_view key) {
  std::size_t i = SkipSpace(object, 0);
  if (i >= object.size() || object[i] != '{') {
    return std::nullopt;
  }
  ++i;
  while (true) {
    i = SkipSpace(object, i);
    if (i >= object.size() || object[i] != '"') {
      return std::nullopt;
    }
    const std::size_t key_end = SkipString(object, i);
    if (key_end == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view name = object.substr(i + 1, key_end - i - 2);
    i = SkipSpace(object, key_end);
    if (i >= object.size() || object[i] != ':') {
      return std::nullopt;
    }
    i = SkipSpace(object, i + 1);
    const std::size_t value_end = SkipValue(object, i);
    if (value_end == std::string_view::npos) {
      return std::nullopt;
    }
    if (name == key) {
      std::string_view value = object.substr(i, value_end - i);
      if (value.size() >= 2 && value.front() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    i = SkipSpace(object, value_end);
    if (i < object.size() && object[i] == ',') {
      ++i;
      continue;
    }
    return std::nullopt;
  }
}

}  // namespace worklog::sync

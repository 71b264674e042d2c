#include "http/activity_feed_json.h"

#include <array>
#include <chrono>

#include <date/date.h>

#include "domain/activity.h"
#include "http/json.h"
#include "http/json_writer.h"

namespace worklog::http {
namespace {

// About what one activity and one suggestion take, to allocate the body once.
constexpr std::size_t kActivityBytes = 320;
constexpr std::size_t kSuggestionBytes = 400;

// Rfc3339(instant) without a stream: thousands per month.
std::string_view FormatRfc3339(TimePoint instant, std::array<char, 20>& buffer) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(instant);
  const auto day = std::chrono::floor<date::days>(seconds);
  const date::year_month_day ymd(day);
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    return {};
  }
  const date::hh_mm_ss time(seconds - day);
  const auto put = [&](std::size_t at, int value, int digits) {
    for (int k = digits - 1; k >= 0; --k) {
      buffer[at + static_cast<std::size_t>(k)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buffer[4] = '-';
  put(5, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  buffer[7] = '-';
  put(8, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  buffer[10] = 'T';
  put(11, static_cast<int>(time.hours().count()), 2);
  buffer[13] = ':';
  put(14, static_cast<int>(time.minutes().count()), 2);
  buffer[16] = ':';
  put(17, static_cast<int>(time.seconds().count()), 2);
  buffer[19] = 'Z';
  return {buffer.data(), buffer.size()};
}

void WriteActivity(JsonWriter& json, const domain::Activity& activity) {
  std::array<char, 20> buffer{};
  std::string_view occurred_at = FormatRfc3339(activity.occurred_at, buffer);
  std::string fallback;
  if (occurred_at.empty()) {
    fallback = Rfc3339(activity.occurred_at);
    occurred_at = fallback;
  }
  json.BeginObject()
      .Key("action")
      .String(activity.action)
      .Key("key")
      .String(activity.key)
      .Key("kind")
      .String(domain::KindName(activity.kind))
      .Key("occurred_at")
      .String(occurred_at)
      .Key("project_path")
      .String(activity.project_path)
      .Key("title")
      .String(activity.title)
      .Key("url")
      .String(activity.url)
      .EndObject();
}

void WriteSuggestion(JsonWriter& json, const feed::Suggestion& suggestion) {
  json.BeginObject().Key("activities").BeginArray();
  for (const auto& activity : suggestion.activities) {
    WriteActivity(json, activity);
  }
  json.EndArray()
      .Key("date")
      .String(suggestion.date)
      .Key("description")
      .String(suggestion.description)
      .Key("duration_seconds")
      .Int(suggestion.duration.count())
      .Key("id")
      .String(suggestion.id)
      .Key("issue_key");
  if (suggestion.issue_key) {
    json.String(*suggestion.issue_key);
  } else {
    json.Null();
  }
  json.Key("start_time")
      .String(suggestion.start_time)
      .Key("why")
      .String(suggestion.why)
      .EndObject();
}

}  // namespace

std::string ActivityFeedJson(const app::ActivityFeedPage& page) {
  std::size_t activities = 0;
  for (const auto& suggestion : page.suggestions) {
    activities += suggestion.activities.size();
  }
  JsonWriter json(64 + page.suggestions.size() * kSuggestionBytes + activities * kActivityBytes);
  json.BeginObject().Key("from").String(page.from).Key("suggestions").BeginArray();
  for (const auto& suggestion : page.suggestions) {
    WriteSuggestion(json, suggestion);
  }
  json.EndArray().Key("to").String(page.to).EndObject();
  return json.Take();
}

}  // namespace worklog::http

namespace worklog::http {

std::string SuggestionJson(const feed::Suggestion& suggestion) {
  JsonWriter json(kSuggestionBytes + suggestion.activities.size() * kActivityBytes);
  WriteSuggestion(json, suggestion);
  return json.Take();
}

std::string ActivityFeedJsonHead(std::string_view from) {
  JsonWriter head;
  head.BeginObject().Key("from").String(from).Key("suggestions");
  return head.Take() + "[";
}

std::string ActivityFeedJsonTail(std::string_view to) {
  JsonWriter tail;
  tail.BeginObject().Key("to").String(to).EndObject();
  return "]," + tail.Take().substr(1);  // without its "{"
}

std::string ActivityFeedJson(std::string_view from, std::string_view to,
                             const std::vector<std::string_view>& suggestions) {
  std::string body = ActivityFeedJsonHead(from);
  for (std::size_t i = 0; i < suggestions.size(); ++i) {
    if (i > 0) {
      body.push_back(',');
    }
    body += suggestions[i];
  }
  body += ActivityFeedJsonTail(to);
  return body;
}

}  // namespace worklog::http

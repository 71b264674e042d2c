// ActivityFeed::GetRendered: the Activity Feed response cache (app/feed_cache.h), and the
// thread that improves the bodies kept in it.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#if defined(__linux__)
#include <unistd.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#endif

#include "app/activity_feed.h"
#include "common/crypto.h"
#include "feed/time_zone.h"

namespace worklog::app {
namespace {

// Holds one of the semaphore's places while it lives.
template <typename Semaphore>
class Place {
 public:
  explicit Place(Semaphore& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  Place(const Place&) = delete;
  Place& operator=(const Place&) = delete;
  Place(Place&&) = delete;
  Place& operator=(Place&&) = delete;
  ~Place() { semaphore_.release(); }

 private:
  Semaphore& semaphore_;
};

// Improving a body is worth less than answering a request: the improver thread runs at
// this nice value (Linux: per thread) so the connection threads go first.
constexpr int kImproverNice = 10;

// A day's entry in the day cache: per suggestion (in the page's order) its id and its part,
// each as a 4-byte length and the bytes.
void AppendField(std::string& out, std::string_view field) {
  const auto size = static_cast<uint32_t>(field.size());
  std::array<char, sizeof size> length{};
  std::memcpy(length.data(), &size, sizeof size);
  out.append(length.data(), length.size());
  out.append(field);
}

std::string_view TakeField(std::string_view& in) {
  uint32_t size = 0;
  std::memcpy(&size, in.data(), sizeof size);
  const std::string_view field = in.substr(sizeof size, size);
  in.remove_prefix(sizeof size + size);
  return field;
}

std::string Joined(const std::vector<std::string_view>& ids) {
  std::string joined;
  for (const std::string_view id : ids) {
    joined += id;
    joined.push_back('\n');
  }
  return joined;
}

// A local day's key in the day cache.
std::string DayKey(const domain::User& user, std::string_view date) {
  return fmt::format("{}:{}:{}", user.id, user.timezone, date);
}

int64_t MarkOf(const std::map<int64_t, int64_t>& marks, int64_t day) {
  auto found = marks.find(day);
  return found == marks.end() ? 0 : found->second;
}

}  // namespace

void ActivityFeed::SetCacheBytes(std::size_t bytes) {
  cache_ = std::make_unique<FeedCache>(bytes);
  day_cache_ = std::make_unique<FeedCache>(bytes);
  if (bytes > 0 && !improver_.joinable()) {
    improver_ = std::jthread([this](const std::stop_token& stop) { RunImprovements(stop); });
  }
}

void ActivityFeed::AskImprovement(Improvement improvement) {
  {
    std::lock_guard lock(improvements_mutex_);
    if (!improver_.joinable() || improvements_.size() >= kMaxPendingImprovements) {
      return;
    }
    improvements_.push_back(std::move(improvement));
  }
  improvements_changed_.notify_all();
}

void ActivityFeed::RunImprovements(const std::stop_token& stop) {
#if defined(__linux__)
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kImproverNice) != 0) {
    spdlog::debug("activity feed: the improver thread keeps the normal CPU priority");
  }
#endif
  while (true) {
    Improvement next;
    {
      std::unique_lock lock(improvements_mutex_);
      improving_ = false;
      improvements_changed_.notify_all();
      if (!improvements_changed_.wait(lock, stop, [&] { return !improvements_.empty(); })) {
        return;  // stopping
      }
      next = std::move(improvements_.front());
      improvements_.pop_front();
      improving_ = true;
    }
    std::string better = next.improve(*next.body);
    if (!better.empty() && better.size() < next.body->size()) {
      cache_->Replace(next.key, next.stamp, next.body,
                      std::make_shared<const std::string>(std::move(better)));
    }
  }
}

void ActivityFeed::WaitForImprovements() {
  std::unique_lock lock(improvements_mutex_);
  improvements_changed_.wait(lock, [&] { return improvements_.empty() && !improving_; });
}

Result<std::shared_ptr<const std::string>> ActivityFeed::GetRendered(const Principal& caller,
                                                                     const ActivityFeedInput& input,
                                                                     const Renderer& render,
                                                                     const Improver& improve) {
  if (cache_->capacity_bytes() == 0) {
    const Place place(renders_);
    auto page = Get(caller, input);
    if (!page) {
      return tl::unexpected(page.error());
    }
    return std::make_shared<const std::string>(RenderPage(*page, render));
  }
  // The stamp first: the page computed after it is at least as new as it says.
  auto stamp = store_.Activities().FeedStamp(caller.user.id);
  if (!stamp) {
    return tl::unexpected(stamp.error());
  }
  // The raw from/to: only a valid request's page is stored, so a hit was valid. The time
  // zone is the caller's as read with this request (it shifts the local days).
  const std::string key = fmt::format("{}:{}:{}:{}:{}:{}", caller.user.id, input.from.size(),
                                      input.from, input.to.size(), input.to, caller.user.timezone);
  bool first_reread = false;
  if (auto body = cache_->Find(key, *stamp, improve ? &first_reread : nullptr)) {
    if (first_reread) {
      AskImprovement(Improvement{key, *stamp, body, improve});
    }
    return body;
  }
  const Place place(renders_);
  if (auto body = cache_->Find(key, *stamp)) {
    return body;  // rendered by another request while this one waited
  }
  return RenderByDays(caller.user, input, render, key, *stamp);
}

Result<std::shared_ptr<const std::string>> ActivityFeed::RenderByDays(
    const domain::User& user, const ActivityFeedInput& input, const Renderer& render,
    const std::string& key, const std::string& stamp) {
  auto range = CheckRange(input);
  if (!range) {
    return tl::unexpected(range.error());
  }
  auto zone = feed::Zone::Locate(user.timezone);
  if (!zone) {
    return tl::unexpected(zone.error());
  }
  const date::local_days first = feed::ParseLocalDate(range->first);
  const date::local_days last = feed::ParseLocalDate(range->second);
  const int64_t first_number = first.time_since_epoch().count();
  const auto count = static_cast<std::size_t>((last - first).count() + 1);
  // The marks after the stamp, before the data: what is computed is at least as new. A local
  // day lies within a day of its UTC day; its worklogs within kWorklogDaysAround.
  const int64_t reach = kWorklogDaysAround + 1;
  auto marks = store_.Activities().DayMarks(user.id, first_number - reach,
                                            last.time_since_epoch().count() + reach);
  if (!marks) {
    return tl::unexpected(marks.error());
  }
  // Each day's version: the global marks, the activity marks of the UTC days it overlaps,
  // the worklog marks of the dates around it.
  std::vector<std::string> dates(count);
  std::vector<std::string> versions(count);
  std::vector<std::string> day_keys(count);
  for (std::size_t i = 0; i < count; ++i) {
    const date::local_days day = first + date::days(static_cast<int64_t>(i));
    const int64_t number = day.time_since_epoch().count();
    dates[i] = feed::FormatLocalDate(day);
    std::string& version = versions[i];
    version = fmt::format("{}.{}", marks->identities, marks->all);
    const auto begin = std::chrono::floor<date::days>(zone->LocalMidnight(day));
    const auto end = std::chrono::floor<date::days>(zone->LocalMidnight(day + date::days(1)) -
                                                    std::chrono::seconds(1));
    for (auto utc = begin; utc <= end; utc += date::days(1)) {
      const int64_t utc_number = utc.time_since_epoch().count();
      fmt::format_to(std::back_inserter(version), ";a{}:{}", utc_number,
                     MarkOf(marks->activity_days, utc_number));
    }
    for (int64_t around = number - kWorklogDaysAround; around <= number + kWorklogDaysAround;
         ++around) {
      fmt::format_to(std::back_inserter(version), ";w{}", MarkOf(marks->worklog_days, around));
    }
    day_keys[i] = DayKey(user, dates[i]);
  }
  // The days kept under their version; the others computed again, a run of days at a time.
  struct Day {
    std::shared_ptr<const std::string> entry;  // kept: ids, handled ids, part
    std::vector<std::string_view> ids;         // every suggestion's, in order
    std::string_view handled;                  // Joined, when rendered
    std::string_view part;
    std::optional<std::vector<feed::Suggestion>> fresh;  // computed now
  };
  std::vector<Day> days(count);
  for (std::size_t i = 0; i < count; ++i) {
    Day& day = days[i];
    day.entry = day_cache_->Find(day_keys[i], versions[i]);
    if (day.entry) {
      std::string_view in = *day.entry;
      std::string_view ids = TakeField(in);
      day.handled = TakeField(in);
      day.part = TakeField(in);
      while (!ids.empty()) {
        const auto end = ids.find('\n');
        day.ids.push_back(ids.substr(0, end));
        ids.remove_prefix(end + 1);
      }
    }
  }
  // Computes the days `wanted` says (their ids are as before when they were kept: their
  // marks are the same).
  const auto compute = [&](const std::vector<bool>& wanted) -> Status {
    for (std::size_t begin = 0; begin < count;) {
      if (!wanted[begin]) {
        ++begin;
        continue;
      }
      std::size_t end = begin;
      while (end + 1 < count && wanted[end + 1]) {
        ++end;
      }
      auto suggestions = Compute(user, dates[begin], dates[end]);
      if (!suggestions) {
        return tl::unexpected(suggestions.error());
      }
      for (std::size_t i = begin; i <= end; ++i) {
        days[i].fresh.emplace();
      }
      for (auto& suggestion : *suggestions) {
        const auto at =
            static_cast<std::size_t>((feed::ParseLocalDate(suggestion.date) - first).count());
        if (at >= begin && at <= end) {  // always: Compute answers its days only
          days[at].fresh->push_back(std::move(suggestion));
        }
      }
      for (std::size_t i = begin; i <= end; ++i) {
        days[i].ids.clear();
        for (const auto& suggestion : *days[i].fresh) {
          days[i].ids.push_back(suggestion.id);
        }
      }
      begin = end + 1;
    }
    return {};
  };
  std::vector<bool> missing(count);
  for (std::size_t i = 0; i < count; ++i) {
    missing[i] = !days[i].entry;
  }
  if (auto computed = compute(missing); !computed) {
    return tl::unexpected(computed.error());
  }
  // The handled ones, as they are now.
  std::vector<std::string> ids;
  for (const Day& day : days) {
    ids.insert(ids.end(), day.ids.begin(), day.ids.end());
  }
  auto handled = store_.Suggestions().FilterHandled(user.id, ids);
  if (!handled) {
    return tl::unexpected(handled.error());
  }
  const std::set<std::string_view> left_out(handled->begin(), handled->end());
  std::vector<std::string> handled_of_day(count);
  std::string version;  // the page's: its days' versions and the handled suggestions
  for (std::size_t i = 0; i < count; ++i) {
    for (const std::string_view id : days[i].ids) {
      if (left_out.contains(id)) {
        handled_of_day[i] += id;
        handled_of_day[i].push_back('\n');
      }
    }
    version += versions[i];
    version.push_back('|');
    version += handled_of_day[i];
    version.push_back('|');
  }
  if (auto body = cache_->Restamp(key, Sha256Hex(version), stamp)) {
    return body;  // nothing in it changed: a write elsewhere
  }
  // A kept day whose handled suggestions changed is rendered again (computed again: its
  // suggestions are not kept, only its part).
  std::vector<bool> rehandled(count);
  bool any = false;
  for (std::size_t i = 0; i < count; ++i) {
    rehandled[i] = days[i].entry && days[i].handled != handled_of_day[i];
    any = any || rehandled[i];
  }
  if (any) {
    if (auto computed = compute(rehandled); !computed) {
      return tl::unexpected(computed.error());
    }
  }
  std::vector<std::string> rendered(count);
  std::vector<std::string_view> parts_of_days(count);
  for (std::size_t i = 0; i < count; ++i) {
    Day& day = days[i];
    if (!day.fresh) {
      parts_of_days[i] = day.part;
      continue;
    }
    std::vector<std::string> parts;
    for (const auto& suggestion : *day.fresh) {
      if (!left_out.contains(suggestion.id)) {
        parts.push_back(render.suggestion(suggestion));
      }
    }
    const std::string part = render.day({parts.begin(), parts.end()});
    std::string& entry = rendered[i];
    AppendField(entry, Joined(day.ids));
    AppendField(entry, handled_of_day[i]);
    AppendField(entry, part);
    auto kept = std::make_shared<const std::string>(std::move(entry));
    day_cache_->Put(day_keys[i], versions[i], kept);
    std::string_view in = *kept;
    TakeField(in);
    TakeField(in);
    parts_of_days[i] = TakeField(in);
    day.entry = std::move(kept);  // keeps parts_of_days[i] alive
  }
  auto body =
      std::make_shared<const std::string>(render.page(range->first, range->second, parts_of_days));
  cache_->Put(key, stamp, body, Sha256Hex(version));
  return body;
}

std::optional<std::string> ActivityFeed::KeptDayOf(const domain::User& user, std::string_view id,
                                                   date::sys_days from, date::sys_days to) const {
  for (auto day = to; day >= from; day -= date::days(1)) {  // the latest first
    const std::string date = feed::FormatLocalDate(date::local_days{day.time_since_epoch()});
    auto entry = day_cache_->Peek(DayKey(user, date));
    if (!entry) {
      continue;
    }
    std::string_view in = *entry;
    std::string_view ids = TakeField(in);
    while (!ids.empty()) {
      const auto end = ids.find('\n');
      if (ids.substr(0, end) == id) {
        return date;
      }
      ids.remove_prefix(end + 1);
    }
  }
  return std::nullopt;
}

std::string ActivityFeed::RenderPage(const ActivityFeedPage& page, const Renderer& render) {
  const date::local_days first = feed::ParseLocalDate(page.from);
  const auto count = static_cast<std::size_t>((feed::ParseLocalDate(page.to) - first).count() + 1);
  std::vector<std::vector<std::string>> parts(count);
  for (const auto& suggestion : page.suggestions) {
    const auto at =
        static_cast<std::size_t>((feed::ParseLocalDate(suggestion.date) - first).count());
    if (at < count) {
      parts[at].push_back(render.suggestion(suggestion));
    }
  }
  std::vector<std::string> days;
  days.reserve(count);
  for (const auto& day : parts) {
    days.push_back(render.day({day.begin(), day.end()}));
  }
  return render.page(page.from, page.to, {days.begin(), days.end()});
}

}  // namespace worklog::app

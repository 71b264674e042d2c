#include "gitlab-sim/hooks.h"

#include <httplib.h>

#include <algorithm>

namespace worklog::gitlab_sim {
namespace {

// "http://host:port/path?q" -> {"http://host:port", "/path?q"}.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) {
    return {url, "/"};
  }
  return {url.substr(0, slash), url.substr(slash)};
}

}  // namespace

Dispatcher::Dispatcher(const Clock& clock, DispatcherOptions options,
                       std::function<bool(Id)> executable, std::function<void(Id, bool)> outcome)
    : clock_(clock),
      options_(std::move(options)),
      executable_(std::move(executable)),
      outcome_(std::move(outcome)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Dispatcher::set_instance_url(std::string url) {
  std::lock_guard lock(mutex_);
  options_.instance_url = std::move(url);
}

void Dispatcher::Enqueue(OutgoingHook hook) {
  {
    std::lock_guard lock(mutex_);
    DeliveryRecord record;
    record.id = next_id_++;
    record.hook = std::move(hook);
    record.idempotency_key = NewUuid();
    queue_.push_back(Pending{record.id, std::chrono::steady_clock::now()});
    log_.push_back(std::move(record));
  }
  wake_.notify_all();
}

int Dispatcher::SendNow(const OutgoingHook& hook) {
  DeliveryRecord record;
  {
    std::lock_guard lock(mutex_);
    record.id = next_id_++;
    record.hook = hook;
    record.idempotency_key = NewUuid();
  }
  DeliveryAttempt attempt = Attempt(hook, record.idempotency_key);
  record.outcome = attempt.status >= 200 && attempt.status < 300 ? "delivered" : "failed";
  record.attempts.push_back(attempt);
  {
    std::lock_guard lock(mutex_);
    log_.push_back(record);
  }
  return attempt.status;
}

void Dispatcher::FailNext(int count, int status) {
  std::lock_guard lock(mutex_);
  fail_next_ = count;
  fail_status_ = status;
}

void Dispatcher::DropNext(int count) {
  std::lock_guard lock(mutex_);
  drop_next_ = count;
}

void Dispatcher::ClearFaults() {
  std::lock_guard lock(mutex_);
  fail_next_ = 0;
  drop_next_ = 0;
}

std::vector<DeliveryRecord> Dispatcher::Log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void Dispatcher::ClearLog() {
  std::lock_guard lock(mutex_);
  std::erase_if(log_, [](const DeliveryRecord& r) { return r.outcome != "pending"; });
}

bool Dispatcher::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && in_flight_ == 0; });
}

DeliveryRecord* Dispatcher::FindRecord(Id id) {
  for (DeliveryRecord& r : log_) {
    if (r.id == id) {
      return &r;
    }
  }
  return nullptr;
}

DeliveryAttempt Dispatcher::Attempt(const OutgoingHook& hook, const std::string& idempotency_key) {
  DeliveryAttempt attempt;
  attempt.at = clock_.Now();
  std::string instance;
  {
    std::lock_guard lock(mutex_);
    if (fail_next_ > 0) {
      --fail_next_;
      attempt.status = fail_status_;
      attempt.error = fail_status_ == 0 ? "injected connection failure" : "";
      return attempt;
    }
    instance = options_.instance_url;
  }
  const auto [base, path] = SplitUrl(hook.url);
  httplib::Client client(base);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  client.enable_server_certificate_verification(false);
  httplib::Headers headers{{"X-Gitlab-Event", hook.event},
                           {"X-Gitlab-Event-UUID", hook.event_uuid},
                           {"X-Gitlab-Webhook-UUID", hook.hook_uuid},
                           {"X-Gitlab-Instance", instance},
                           {"Idempotency-Key", idempotency_key},
                           {"User-Agent", "GitLab/" + options_.version}};
  if (!hook.token.empty()) {
    headers.emplace("X-Gitlab-Token", hook.token);
  }
  const auto response = client.Post(path, headers, hook.body, "application/json");
  if (!response) {
    attempt.error = httplib::to_string(response.error());
    return attempt;
  }
  attempt.status = response->status;
  return attempt;
}

void Dispatcher::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopping_) {
      return;
    }
    if (queue_.empty()) {
      idle_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      continue;
    }
    auto next = std::min_element(queue_.begin(), queue_.end(),
                                 [](const Pending& a, const Pending& b) { return a.due < b.due; });
    if (next->due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, next->due);
      continue;
    }
    const Pending pending = *next;
    queue_.erase(next);
    DeliveryRecord* record = FindRecord(pending.record_id);
    if (record == nullptr) {
      continue;
    }
    if (drop_next_ > 0 && record->attempts.empty()) {
      --drop_next_;
      record->outcome = "dropped";
      continue;
    }
    const OutgoingHook hook = record->hook;
    const std::string key = record->idempotency_key;
    const bool first = record->attempts.empty();
    ++in_flight_;
    lock.unlock();
    const bool executable = executable_(hook.hook_id);
    DeliveryAttempt attempt;
    if (executable || !first) {
      attempt = Attempt(hook, key);
    }
    lock.lock();
    record = FindRecord(pending.record_id);
    bool finished = false;
    bool ok = false;
    if (record != nullptr && !executable && first) {
      record->outcome = "skipped";
    } else if (record != nullptr) {
      record->attempts.push_back(attempt);
      ok = attempt.status >= 200 && attempt.status < 300;
      const std::size_t retries_done = record->attempts.size() - 1;
      if (ok || retries_done >= options_.retry_delays.size()) {
        record->outcome = ok ? "delivered" : "failed";
        finished = true;
      } else {
        queue_.push_back(Pending{pending.record_id, std::chrono::steady_clock::now() +
                                                        options_.retry_delays[retries_done]});
      }
    }
    if (finished) {
      lock.unlock();
      outcome_(hook.hook_id, ok);
      lock.lock();
    }
    --in_flight_;
  }
}

}  // namespace worklog::gitlab_sim

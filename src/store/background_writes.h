#pragma once

namespace worklog::store {

// Marks the writes of the calling thread as background work for as long as it lives (the
// GitLab workers normalizing the inbox, running jobs): nobody waits on them, and a
// back-end that serializes writes (SQLite) runs the writes people wait on first, a
// webhook's acknowledgement or a worklog, and keeps the background ones short.
class BackgroundWrites {
 public:
  BackgroundWrites();
  ~BackgroundWrites();
  BackgroundWrites(const BackgroundWrites&) = delete;
  BackgroundWrites& operator=(const BackgroundWrites&) = delete;
  BackgroundWrites(BackgroundWrites&&) = delete;
  BackgroundWrites& operator=(BackgroundWrites&&) = delete;

  // Whether the calling thread's writes are background work.
  static bool Active();

 private:
  bool was_active_;
};

}  // namespace worklog::store

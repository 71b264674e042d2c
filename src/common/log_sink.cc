#include "common/log_sink.h"

#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace worklog {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{64} * 1024;

class BufferedFdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd) { buffer_.reserve(kFlushBytes + 1024); }
  BufferedFdSink(const BufferedFdSink&) = delete;
  BufferedFdSink& operator=(const BufferedFdSink&) = delete;
  BufferedFdSink(BufferedFdSink&&) = delete;
  BufferedFdSink& operator=(BufferedFdSink&&) = delete;
  ~BufferedFdSink() override {
    std::lock_guard lock(mutex_);
    WriteOut();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kFlushBytes) {
      WriteOut();
    }
  }

  void flush_() override { WriteOut(); }

 private:
  // Under base_sink's mutex_.
  void WriteOut() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;  // nowhere to write (closed, full disk): as an unbuffered stderr would
      }
      written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  const int fd_;
  std::string buffer_;  // Guarded by mutex_ (base_sink's).
};

}  // namespace

std::shared_ptr<spdlog::logger> BufferedFdLogger(const char* name, int fd) {
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<BufferedFdSink>(fd));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace worklog

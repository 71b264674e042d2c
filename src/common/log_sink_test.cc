#include "common/log_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace worklog {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The read end of a pipe the logger writes to; reads what is there without waiting.
class Pipe {
 public:
  Pipe() {
    EXPECT_EQ(::pipe2(fds_.data(), O_NONBLOCK | O_CLOEXEC), 0);
    ::fcntl(fds_[1], F_SETPIPE_SZ, 1 << 20);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  Pipe(Pipe&&) = delete;
  Pipe& operator=(Pipe&&) = delete;
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int write_end() const { return fds_[1]; }
  std::string ReadAvailable() {
    std::string out;
    std::array<char, 4096> chunk{};
    while (true) {
      const ssize_t n = ::read(fds_[0], chunk.data(), chunk.size());
      if (n <= 0) {
        return out;
      }
      out.append(chunk.data(), static_cast<std::size_t>(n));
    }
  }

 private:
  std::array<int, 2> fds_ = {-1, -1};
};

TEST(BufferedFdLogger, InfoLinesWaitForTheFlushAndAllArrive) {
  Pipe pipe;
  auto logger = BufferedFdLogger("test", pipe.write_end());
  logger->info("http request_id={} status={}", "abc", 202);
  logger->info("webhook stored event={}", "Push Hook");
  EXPECT_THAT(pipe.ReadAvailable(), IsEmpty());
  logger->flush();
  const std::string written = pipe.ReadAvailable();
  EXPECT_THAT(written, HasSubstr("[test] [info] http request_id=abc status=202\n"));
  EXPECT_THAT(written, HasSubstr("[info] webhook stored event=Push Hook\n"));
  EXPECT_LT(written.find("request_id=abc"), written.find("webhook stored"));
}

TEST(BufferedFdLogger, AWarningIsWrittenAtOnceWithEveryLineBeforeIt) {
  Pipe pipe;
  auto logger = BufferedFdLogger("test", pipe.write_end());
  logger->info("first");
  logger->warn("sqlite checkpoint: {}", "disk I/O error");
  const std::string written = pipe.ReadAvailable();
  EXPECT_THAT(written, HasSubstr("[info] first\n"));
  EXPECT_THAT(written, HasSubstr("[warning] sqlite checkpoint: disk I/O error\n"));
}

TEST(BufferedFdLogger, AFullBufferIsWrittenWithoutAFlush) {
  Pipe pipe;
  auto logger = BufferedFdLogger("test", pipe.write_end());
  const std::string line(200, 'x');
  for (int i = 0; i < 1000; ++i) {
    logger->info("{} {}", i, line);
  }
  const std::string written = pipe.ReadAvailable();
  EXPECT_GE(written.size(), std::size_t{64} * 1024);
  EXPECT_THAT(written, HasSubstr("[info] 0 xxx"));
  logger->flush();
  EXPECT_THAT(written + pipe.ReadAvailable(), HasSubstr("[info] 999 xxx"));
}

TEST(BufferedFdLogger, LinesLeftInTheBufferAreWrittenWhenTheLoggerGoes) {
  Pipe pipe;
  {
    auto logger = BufferedFdLogger("test", pipe.write_end());
    logger->info("stopping on signal 15");
  }
  EXPECT_THAT(pipe.ReadAvailable(), HasSubstr("stopping on signal 15\n"));
}

}  // namespace
}  // namespace worklog

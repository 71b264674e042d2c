#pragma once

#include <memory>

#include <spdlog/logger.h>

namespace worklog {

// A logger writing to file descriptor `fd` (serve: 2, standard error) through a buffer: one
// write(2) per 64 KiB of lines or per flush instead of one per line, which at thousands of
// requests a second is a system call and a lock per access-log line. Lines at warn or
// above are written at once, with every line before them; the rest at the latest at the
// next flush, which spdlog::flush_every (once a second in serve) and a clean shutdown do.
// Lines are never dropped: a full buffer is written before the next line goes in.
std::shared_ptr<spdlog::logger> BufferedFdLogger(const char* name, int fd);

}  // namespace worklog

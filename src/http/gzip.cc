#include "http/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "common/text.h"

namespace worklog::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // zlib: 32 KiB window, gzip wrapper
constexpr std::size_t kChunk = std::size_t{64} * 1024;

// q=0 (0, 0.0, 0.00, 0.000) refuses a coding.
bool RefusedByQ(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    std::string_view param = TrimBlanks(params.substr(0, semicolon));
    params =
        semicolon == std::string_view::npos ? std::string_view{} : params.substr(semicolon + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      std::string_view value = TrimBlanks(param.substr(2));
      return !value.empty() && value.find_first_not_of("0.") == std::string_view::npos;
    }
  }
  return false;
}

}  // namespace

std::string Gzip(std::string_view data, int level) {
  z_stream stream{};
  deflateInit2(&stream, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): zlib's input is not written.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);  // the output is deflateBound: one call finishes
  out.resize(stream.total_out);
  // Drop the deflateBound capacity (about the input's size): a kept body (the feed cache)
  // would otherwise hold ten times what it counts.
  out.shrink_to_fit();
  deflateEnd(&stream);
  return out;
}

Result<std::string> Gunzip(std::string_view gzip) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
    return Internal("cannot start zlib inflate");
  }
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): zlib's input is not written.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = static_cast<uInt>(gzip.size());
  std::string out;
  int status = Z_OK;
  while (status == Z_OK) {
    const std::size_t done = out.size();
    out.resize(done + kChunk);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + done);
    stream.avail_out = static_cast<uInt>(kChunk);
    status = inflate(&stream, Z_NO_FLUSH);
    out.resize(done + kChunk - stream.avail_out);
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      break;  // truncated
    }
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    return Internal("not a complete gzip stream");
  }
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semicolon = item.find(';');
    const std::string_view coding = TrimBlanks(item.substr(0, semicolon));
    if (EqualsIgnoringCase(coding, "gzip") || EqualsIgnoringCase(coding, "x-gzip") ||
        coding == "*") {
      return semicolon == std::string_view::npos || !RefusedByQ(item.substr(semicolon + 1));
    }
  }
  return false;
}

}  // namespace worklog::http

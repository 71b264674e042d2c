#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace worklog::http {

// zlib's levels: 1 is the fastest (about 4 times faster than the default on JSON, for
// about a quarter more bytes), 9 the smallest; -1 is zlib's default (6).
inline constexpr int kGzipFastest = 1;
inline constexpr int kGzipDefault = -1;
inline constexpr int kGzipSmallest = 9;

// `data` as a gzip stream (RFC 1952) at `level` (see above).
std::string Gzip(std::string_view data, int level = kGzipDefault);
// The data of a gzip stream; kInternal when `gzip` is not one.
Result<std::string> Gunzip(std::string_view gzip);

// True when an Accept-Encoding header value accepts gzip (a "gzip" or "x-gzip" coding, or
// "*", whose q is not 0). Absent header: false.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace worklog::http

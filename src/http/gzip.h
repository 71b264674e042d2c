#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace worklog::http {

// `data` as a gzip stream (RFC 1952), zlib's default level.
std::string Gzip(std::string_view data);
// The data of a gzip stream; kInternal when `gzip` is not one.
Result<std::string> Gunzip(std::string_view gzip);

// True when an Accept-Encoding header value accepts gzip (a "gzip" or "x-gzip" coding, or
// "*", whose q is not 0). Absent header: false.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace worklog::http

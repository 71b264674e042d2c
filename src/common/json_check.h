#pragma once

#include <string_view>

namespace worklog {

enum class JsonCheck {
  kValid,    // one JSON value, nested at most `max_depth` deep
  kInvalid,  // not JSON (or nested too deep after the first error)
  kTooDeep,  // arrays and objects nested deeper than `max_depth` before any error
};

// Whether `text` is one JSON value (RFC 8259), without building a document: what
// nlohmann::json::accept accepts (a leading UTF-8 byte order mark, well-formed UTF-8, paired
// surrogate escapes, numbers a double can hold) less a NUL byte after the value, nesting
// counted as "more than `max_depth` arrays and objects open at once". simdjson answers the
// common case (~15x faster than nlohmann's accept on a push payload); what it refuses,
// nlohmann's streaming parser decides. For the hot paths that only need a yes: on a no, ask
// nlohmann for the byte and the reason.
JsonCheck CheckJson(std::string_view text, int max_depth);

}  // namespace worklog

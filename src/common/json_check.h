#pragma once

#include <string_view>

namespace worklog {

enum class JsonCheck {
  kValid,    // one JSON value, nested at most `max_depth` deep
  kInvalid,  // not JSON (or nested too deep after the first error)
  kTooDeep,  // arrays and objects nested deeper than `max_depth` before any error
};

// Whether `text` is one JSON value (RFC 8259), without building anything: one linear pass,
// no allocation for nesting up to 64 levels. Accepts exactly what nlohmann::json::accept
// accepts (a leading UTF-8 byte order mark, well-formed UTF-8, paired surrogate escapes,
// numbers a double can hold) and counts nesting as "more than `max_depth` opening brackets
// open at once". For the hot paths that only need a yes: on a no, ask nlohmann for the
// byte and the reason.
JsonCheck CheckJson(std::string_view text, int max_depth);

}  // namespace worklog

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

// Small value conversions shared by the SQLite and PostgreSQL back-ends.
namespace worklog::store {

// Instants are stored as microseconds since the Unix epoch.
inline int64_t ToMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromMicros(int64_t us) { return TimePoint{std::chrono::microseconds{us}}; }
// Durations too.
inline int64_t ToMicros(std::chrono::seconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// A JSON array of strings, as stored in text/jsonb columns (`["a","b"]`). The decoder
// accepts any whitespace the database adds and every JSON string escape.
std::string EncodeStringArray(const std::vector<std::string>& values);
// `[1,2,3]`
std::string EncodeIntArray(const std::vector<int64_t>& values);
// `"text"` with JSON escapes, for building JSON documents by hand.
std::string JsonString(std::string_view text);
Result<std::vector<std::string>> DecodeStringArray(std::string_view json);

// A PostgreSQL array literal of text (`{"a","b"}`), for `$1::text[]` parameters.
std::string PgTextArray(const std::vector<std::string>& values);
// A PostgreSQL array literal of integers (`{1,2}`), for `$1::bigint[]` parameters.
std::string PgIntArray(const std::vector<int64_t>& values);

}  // namespace worklog::store

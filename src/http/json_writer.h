#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace worklog::http {

// Writes compact JSON straight into a string, for responses too big to build as an
// nlohmann::json tree first (the Activity Feed: a month is thousands of objects). The
// caller writes members in the order it wants them; the output is byte for byte what
// nlohmann::json's dump(-1, ' ', false, error_handler_t::replace) gives for the same
// document with its members in that order (nlohmann sorts an object's members by name, so
// write them sorted to match it). Invalid UTF-8 in a string becomes U+FFFD as there.
// Structure is the caller's job: nothing checks that objects are closed or that a key
// precedes each member's value.
class JsonWriter {
 public:
  // Expected size of the document, to allocate once.
  explicit JsonWriter(std::size_t reserve = 0) { out_.reserve(reserve); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // An object member's name; its value is written next.
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Null();

  // The document written so far.
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();

  std::string out_;
  bool first_ = true;  // no value yet in the innermost array or object
};

}  // namespace worklog::http

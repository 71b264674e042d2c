#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"

namespace worklog::sync {

// A job payload: one flat JSON object of strings and integers, e.g.
// {"generation":3,"project_id":42,"ref":"main"}: readable JSON for the operator looking at
// the queue, written and read with nlohmann (in payload.cc only).
class Payload {
 public:
  Payload& Set(std::string key, int64_t value);
  Payload& Set(std::string key, std::string value);

  std::optional<int64_t> Int(std::string_view key) const;
  std::optional<std::string> Text(std::string_view key) const;
  // Integer or kInvalidArgument naming `key`.
  Result<int64_t> RequireInt(std::string_view key) const;

  std::string ToJson() const;
  // kInvalidArgument ("payload") for anything but a flat object of strings and integers.
  static Result<Payload> Parse(std::string_view json);

 private:
  std::map<std::string, std::variant<int64_t, std::string>, std::less<>> values_;
};

}  // namespace worklog::sync

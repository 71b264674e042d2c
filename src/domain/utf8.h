#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace worklog::domain {

// Number of code points in `text`, or nullopt when `text` is not well-formed UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are rejected).
std::optional<std::size_t> Utf8Length(std::string_view text);

}  // namespace worklog::domain

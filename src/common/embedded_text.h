#pragma once

#include <string_view>

namespace worklog {

// A text file compiled into the binary (cmake/EmbedText.cmake), e.g. one SQL migration.
struct EmbeddedText {
  std::string_view name;  // file name, e.g. "0001_accounts.sql"
  std::string_view text;
};

}  // namespace worklog

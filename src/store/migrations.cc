#include "store/migrations.h"

#include <string>

#include <fmt/format.h>

namespace worklog::store {

Result<int64_t> MigrationVersion(std::string_view file_name) {
  int64_t version = 0;
  std::size_t i = 0;
  while (i < file_name.size() && file_name[i] >= '0' && file_name[i] <= '9' && i < 9) {
    version = version * 10 + (file_name[i] - '0');
    ++i;
  }
  if (i == 0 || i >= file_name.size() || file_name[i] != '_' || version == 0) {
    return Internal(fmt::format("migration file \"{}\" is not named NNNN_name.sql", file_name));
  }
  return version;
}

}  // namespace worklog::store

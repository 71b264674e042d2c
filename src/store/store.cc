#include "store/store.h"

#include <fmt/format.h>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store {

tl::unexpected<Error> ActivityAlreadyLogged(std::string_view activity_key, int64_t worklog_id) {
  return tl::unexpected(Error{
      .code = ErrorCode::kConflict,
      .field = "activity_keys",
      .message =
          fmt::format("activity {} is logged already, by worklog {}", activity_key, worklog_id),
  });
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const Clock& clock) {
  constexpr std::string_view kUsage =
      "use sqlite:PATH (e.g. sqlite:./data/worklog.db) or postgresql://USER@HOST:PORT/DB";
  if (url.starts_with("sqlite:")) {
    std::string_view path = url.substr(std::string_view("sqlite:").size());
    if (path.starts_with("//")) {
      path.remove_prefix(2);  // sqlite://PATH; sqlite:///abs keeps its leading '/'
    }
    if (path.empty()) {
      return InvalidArgument("db", fmt::format("the SQLite URL names no file: {}", kUsage));
    }
    auto opened = sqlite::SqliteStore::Open(std::string(path), clock);
    if (!opened) {
      return tl::unexpected(opened.error());
    }
    return std::unique_ptr<Store>(std::move(*opened));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto opened = postgres::PgStore::Open(std::string(url), clock);
    if (!opened) {
      return tl::unexpected(opened.error());
    }
    return std::unique_ptr<Store>(std::move(*opened));
  }
  // Name only the scheme: the rest of a URL may hold a password.
  const std::size_t colon = url.find(':');
  const std::string_view scheme = colon == std::string_view::npos ? "" : url.substr(0, colon);
  if (scheme.empty()) {
    return InvalidArgument("db", fmt::format("not a database URL: {}", kUsage));
  }
  return InvalidArgument("db",
                         fmt::format("unsupported database scheme \"{}\": {}", scheme, kUsage));
}

}  // namespace worklog::store

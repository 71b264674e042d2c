#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "http/request.h"

namespace worklog::http {

// Serves the built UI from a directory. A path naming a file serves it; any other path
// without a file extension serves index.html, so the UI's client-side routes load.
class StaticFiles {
 public:
  explicit StaticFiles(const std::filesystem::path& root);

  // Empty when the root does not exist.
  bool enabled() const { return !root_.empty(); }
  // The response for GET `path`: a file, index.html, or a 404 problem.
  Response Serve(std::string_view path) const;

 private:
  std::optional<Response> ReadFile(const std::filesystem::path& file) const;

  std::filesystem::path root_;  // canonical
};

// "text/html; charset=utf-8" for ".html", ...; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(const std::filesystem::path& file);

}  // namespace worklog::http

#include "http/static_files.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include "http/problem.h"

namespace worklog::http {
namespace {

// A request path we may map under the root: no "..", no backslashes, no NUL.
bool IsSafe(std::string_view path) {
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "..") {
      return false;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return true;
}

bool HasExtension(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

}  // namespace

std::string_view ContentTypeFor(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") {
    return "text/html; charset=utf-8";
  }
  if (extension == ".js" || extension == ".mjs") {
    return "text/javascript; charset=utf-8";
  }
  if (extension == ".css") {
    return "text/css; charset=utf-8";
  }
  if (extension == ".json" || extension == ".map") {
    return "application/json";
  }
  if (extension == ".svg") {
    return "image/svg+xml";
  }
  if (extension == ".png") {
    return "image/png";
  }
  if (extension == ".ico") {
    return "image/x-icon";
  }
  if (extension == ".woff2") {
    return "font/woff2";
  }
  if (extension == ".txt") {
    return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::filesystem::path& root) {
  std::error_code ec;
  if (!root.empty() && std::filesystem::is_directory(root, ec)) {
    root_ = std::filesystem::canonical(root, ec);
    if (ec) {
      root_.clear();
    }
  }
}

std::optional<Response> StaticFiles::ReadFile(const std::filesystem::path& file) const {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(file, ec);
  if (ec || !std::filesystem::is_regular_file(real, ec)) {
    return std::nullopt;
  }
  // Symbolic links must not lead out of the root.
  const auto [root_end, ignored] =
      std::mismatch(root_.begin(), root_.end(), real.begin(), real.end());
  if (root_end != root_.end()) {
    return std::nullopt;
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  Response response;
  response.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  response.content_type = std::string(ContentTypeFor(real));
  return response;
}

Response StaticFiles::Serve(std::string_view path) const {
  if (!enabled() || !IsSafe(path)) {
    return Problem(404, "not_found", "no such page");
  }
  std::string_view relative = path;
  while (!relative.empty() && relative.front() == '/') {
    relative.remove_prefix(1);
  }
  if (!relative.empty()) {
    if (auto file = ReadFile(root_ / std::filesystem::path(relative))) {
      // Vite puts content-hashed names under assets/: they never change.
      file->SetHeader("Cache-Control", relative.starts_with("assets/")
                                           ? "public, max-age=31536000, immutable"
                                           : "no-cache");
      return *std::move(file);
    }
    if (HasExtension(relative)) {
      return Problem(404, "not_found", "no such file");
    }
  }
  auto index = ReadFile(root_ / "index.html");
  if (!index) {
    return Problem(404, "not_found", "the UI is not built (no index.html)");
  }
  index->SetHeader("Cache-Control", "no-cache");
  return *std::move(index);
}

}  // namespace worklog::http

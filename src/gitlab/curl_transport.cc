#include "gitlab/curl_transport.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string_view>
#include <utility>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace worklog::gitlab {
namespace {

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      spdlog::critical("curl_global_init failed");
      std::abort();
    }
  });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// The URL without its query or fragment: what error messages and logs may show.
std::string_view WithoutQuery(std::string_view url) {
  return url.substr(0, std::min(url.find('?'), url.find('#')));
}

struct Received {
  HttpResponse response;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  if (received->response.body.size() + bytes > received->max_bytes) {
    received->too_large = true;
    return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
  }
  received->response.body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after 100 Continue or a proxy's answer): forget earlier headers.
    received->response.headers.clear();
    return bytes;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return bytes;
  }
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  received->response.headers.emplace_back(std::move(name),
                                          std::string(Trim(line.substr(colon + 1))));
  return bytes;
}

Error TransportError(std::string_view where, const HttpRequest& request, std::string detail) {
  return Error{ErrorCode::kUnavailable, std::string(where),
               fmt::format("{} {} failed: {}", request.method, WithoutQuery(request.url), detail)};
}

long Millis(std::chrono::milliseconds value) { return static_cast<long>(value.count()); }

}  // namespace

void CurlTransport::HandleDeleter::operator()(void* handle) const { curl_easy_cleanup(handle); }

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
  EnsureCurlInitialized();
}

CurlTransport::HandlePtr CurlTransport::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      HandlePtr handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return HandlePtr(curl_easy_init());
}

void CurlTransport::Release(HandlePtr handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(std::move(handle));
  }
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  HandlePtr handle = Acquire();
  if (!handle) {
    return tl::unexpected(TransportError(kTransportFailed, request, "curl_easy_init failed"));
  }
  CURL* curl = handle.get();
  curl_easy_reset(curl);  // keeps the connection cache

  Received received;
  received.max_bytes = options_.max_response_bytes;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  SlistPtr headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended != nullptr) {
      (void)headers.release();
      headers.reset(appended);
    }
  };
  for (const auto& [name, value] : request.headers) {
    std::string line = name;
    line.append(": ").append(value);
    add_header(line);
  }
  add_header("Expect:");  // no 100-continue round trip

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, Millis(request.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, Millis(request.total_timeout));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));

  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method != "GET" && (request.method == "POST" || !request.body.empty())) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
  }

  const auto started = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  if (code != CURLE_OK) {
    const std::string detail =
        error_buffer[0] != '\0' ? std::string(error_buffer.data()) : curl_easy_strerror(code);
    spdlog::debug("gitlab http {} {} error={} ms={}", request.method, WithoutQuery(request.url),
                  static_cast<int>(code), elapsed.count());
    // The handle may hold a broken connection; curl drops those itself, so it is reusable.
    Release(std::move(handle));
    switch (code) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
        return tl::unexpected(TransportError(kConnectFailed, request, detail));
      case CURLE_OPERATION_TIMEDOUT:
        return tl::unexpected(TransportError(
            kTimedOut, request,
            fmt::format("timed out (connect {} ms, total {} ms): {}",
                        request.connect_timeout.count(), request.total_timeout.count(), detail)));
      case CURLE_WRITE_ERROR:
      case CURLE_FILESIZE_EXCEEDED:
        if (received.too_large || code == CURLE_FILESIZE_EXCEEDED) {
          return tl::unexpected(TransportError(
              kTransportFailed, request,
              fmt::format("response larger than {} bytes", options_.max_response_bytes)));
        }
        break;
      case CURLE_PARTIAL_FILE:
        return tl::unexpected(
            TransportError(kTransportFailed, request, "response truncated: " + detail));
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
        return InvalidArgument("url", fmt::format("cannot send {} {}: {}", request.method,
                                                  WithoutQuery(request.url), detail));
      default:
        break;
    }
    return tl::unexpected(TransportError(kTransportFailed, request, detail));
  }

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  received.response.status = static_cast<int>(status);
  spdlog::debug("gitlab http {} {} status={} bytes={} ms={}", request.method,
                WithoutQuery(request.url), status, received.response.body.size(), elapsed.count());
  Release(std::move(handle));
  return std::move(received.response);
}

}  // namespace worklog::gitlab

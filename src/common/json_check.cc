#include "common/json_check.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace worklog {
namespace {

// Documents up to this size are checked with simdjson, by a parser each thread keeps (its
// buffers are ~10 bytes per input byte: a bounded ~0.7 MiB per connection thread). Larger
// ones, rare (a push lists at most 20 commits), take nlohmann's streaming pass.
constexpr std::size_t kFastCapacity = std::size_t{64} * 1024;
constexpr int kFastMaxDepth = 1024;

struct FastChecker {
  simdjson::dom::parser parser;
  // The input copied with the zeroed padding simdjson reads past the end.
  std::vector<char> padded = std::vector<char>(kFastCapacity + simdjson::SIMDJSON_PADDING);
  std::size_t max_depth = 0;
};

// simdjson's yes, for a document of at most `max_depth` levels. simdjson refuses what
// nlohmann takes in a few corners (a UTF-8 byte order mark, integers beyond 64 bits), so its
// no is only a "maybe": nlohmann decides those.
bool FastAccept(std::string_view text, int max_depth) {
  thread_local FastChecker checker;
  // simdjson's depth N holds N nested arrays and objects. Its per-level state is allocated
  // up front, so a deeper limit is left to nlohmann.
  const auto depth = static_cast<std::size_t>(std::min(max_depth, kFastMaxDepth));
  if (checker.max_depth != depth) {
    if (checker.parser.allocate(kFastCapacity, depth) != simdjson::SUCCESS) {
      return false;
    }
    checker.max_depth = depth;
  }
  std::memcpy(checker.padded.data(), text.data(), text.size());
  std::memset(checker.padded.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return checker.parser.parse(checker.padded.data(), text.size(), false).error() ==
         simdjson::SUCCESS;
}

// nlohmann's verdict, stopping at the first container deeper than the limit.
class DepthCounter final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit DepthCounter(int max_depth) : max_depth_(max_depth) {}

  bool null() override { return true; }
  bool boolean(bool /*value*/) override { return true; }
  bool number_integer(number_integer_t /*value*/) override { return true; }
  bool number_unsigned(number_unsigned_t /*value*/) override { return true; }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return true; }
  bool string(string_t& /*value*/) override { return true; }
  bool binary(binary_t& /*value*/) override { return true; }
  bool start_object(std::size_t /*elements*/) override { return Enter(); }
  bool key(string_t& /*value*/) override { return true; }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t /*elements*/) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    return false;
  }

  bool TooDeep() const { return too_deep_; }

 private:
  bool Enter() {
    too_deep_ = ++depth_ > max_depth_;
    return !too_deep_;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

JsonCheck CheckJson(std::string_view text, int max_depth) {
  // JSON has no raw NUL byte anywhere; simdjson and nlohmann both take one after the value
  // for the end of the text.
  const bool has_nul = std::memchr(text.data(), '\0', text.size()) != nullptr;
  if (!has_nul && text.size() <= kFastCapacity && FastAccept(text, max_depth)) {
    return JsonCheck::kValid;
  }
  DepthCounter counter(max_depth);
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &counter);
  if (counter.TooDeep()) {
    return JsonCheck::kTooDeep;
  }
  return ok && !has_nul ? JsonCheck::kValid : JsonCheck::kInvalid;
}

}  // namespace worklog

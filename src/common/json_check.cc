#include "common/json_check.h"

#include <array>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace worklog {
namespace {

// Which containers are open, innermost last: true for an object. The first 256 levels
// without allocating.
class OpenContainers {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void Push(bool object) {
    if (size_ < kInline) {
      const std::uint64_t bit = std::uint64_t{1} << (size_ % 64);
      inline_[size_ / 64] = object ? (inline_[size_ / 64] | bit) : (inline_[size_ / 64] & ~bit);
    } else {
      deeper_.push_back(object);
    }
    ++size_;
  }
  void Pop() {
    --size_;
    if (size_ >= kInline) {
      deeper_.pop_back();
    }
  }
  bool InObject() const {
    const std::size_t top = size_ - 1;
    if (top >= kInline) {
      return deeper_.back();
    }
    return ((inline_[top / 64] >> (top % 64)) & 1U) != 0;
  }

 private:
  static constexpr std::size_t kInline = 256;
  std::array<std::uint64_t, kInline / 64> inline_{};
  std::vector<bool> deeper_;
  std::size_t size_ = 0;
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void SkipByteOrderMark() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
      at_ = 3;
    }
  }
  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }
  bool AtEnd() const { return at_ >= text_.size(); }
  char Peek() const { return text_[at_]; }
  void Skip() { ++at_; }

  // A string, at its opening quote.
  bool String() {
    ++at_;
    while (at_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c == '\\') {
        if (!Escape()) {
          return false;
        }
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        ++at_;
      } else if (!Utf8()) {
        return false;
      }
    }
    return false;
  }

  // A string, then ':' (an object's member name).
  bool Key() {
    if (AtEnd() || Peek() != '"' || !String()) {
      return false;
    }
    SkipSpace();
    if (AtEnd() || Peek() != ':') {
      return false;
    }
    ++at_;
    return true;
  }

  bool Number() {
    const std::size_t start = at_;
    if (text_[at_] == '-') {
      ++at_;
    }
    if (AtEnd()) {
      return false;
    }
    std::size_t integer_digits = 0;
    if (text_[at_] == '0') {
      ++at_;
      integer_digits = 1;
    } else if (IsDigit1To9(text_[at_])) {
      integer_digits = Digits();
    } else {
      return false;
    }
    bool exponent = false;
    if (!AtEnd() && text_[at_] == '.') {
      ++at_;
      if (Digits() == 0) {
        return false;
      }
    }
    if (!AtEnd() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      exponent = true;
      ++at_;
      if (!AtEnd() && (text_[at_] == '+' || text_[at_] == '-')) {
        ++at_;
      }
      if (Digits() == 0) {
        return false;
      }
    }
    // nlohmann refuses a number a double cannot hold ("number overflow"): only an exponent
    // or a very long integer part can get there.
    if (exponent || integer_digits > 300) {
      return Finite(text_.substr(start, at_ - start));
    }
    return true;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) {
      return false;
    }
    at_ += word.size();
    return true;
  }

 private:
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static bool IsDigit1To9(char c) { return c >= '1' && c <= '9'; }

  std::size_t Digits() {
    const std::size_t start = at_;
    while (at_ < text_.size() && IsDigit(text_[at_])) {
      ++at_;
    }
    return at_ - start;
  }

  static bool Finite(std::string_view number) {
    std::string copy(number);
    // strtod reads the locale's decimal point, as nlohmann does.
    const char point = *std::localeconv()->decimal_point;
    for (char& c : copy) {
      if (c == '.') {
        c = point;
      }
    }
    return std::isfinite(std::strtod(copy.c_str(), nullptr));
  }

  // Four hex digits after "\u", or -1.
  int Hex4() {
    if (text_.size() - at_ < 4) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[at_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value |= c - 'A' + 10;
      } else {
        return -1;
      }
    }
    return value;
  }

  // At a backslash inside a string.
  bool Escape() {
    ++at_;
    if (AtEnd()) {
      return false;
    }
    const char c = text_[at_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u': {
        const int unit = Hex4();
        if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) {
          return false;  // not hex, or a low surrogate first
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          if (text_.substr(at_, 2) != "\\u") {
            return false;
          }
          at_ += 2;
          const int low = Hex4();
          return low >= 0xDC00 && low <= 0xDFFF;
        }
        return true;
      }
      default:
        return false;
    }
  }

  // A UTF-8 sequence of two to four bytes (RFC 3629, as nlohmann's lexer checks it).
  bool Utf8() {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[at_ + i]); };
    const auto in = [](unsigned char b, unsigned char low, unsigned char high) {
      return b >= low && b <= high;
    };
    const std::size_t left = text_.size() - at_;
    const unsigned char lead = byte(0);
    if (in(lead, 0xC2, 0xDF)) {
      if (left < 2 || !in(byte(1), 0x80, 0xBF)) {
        return false;
      }
      at_ += 2;
      return true;
    }
    if (in(lead, 0xE0, 0xEF)) {
      const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
      const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
      if (left < 3 || !in(byte(1), low, high) || !in(byte(2), 0x80, 0xBF)) {
        return false;
      }
      at_ += 3;
      return true;
    }
    if (in(lead, 0xF0, 0xF4)) {
      const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
      const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
      if (left < 4 || !in(byte(1), low, high) || !in(byte(2), 0x80, 0xBF) ||
          !in(byte(3), 0x80, 0xBF)) {
        return false;
      }
      at_ += 4;
      return true;
    }
    return false;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

JsonCheck CheckJson(std::string_view text, int max_depth) {
  Scanner scan(text);
  scan.SkipByteOrderMark();
  OpenContainers open;
  while (true) {
    // A value is expected.
    scan.SkipSpace();
    if (scan.AtEnd()) {
      return JsonCheck::kInvalid;
    }
    const char c = scan.Peek();
    bool value_done = true;
    if (c == '{' || c == '[') {
      if (static_cast<long long>(open.size()) + 1 > max_depth) {
        return JsonCheck::kTooDeep;
      }
      scan.Skip();
      scan.SkipSpace();
      const char close = c == '{' ? '}' : ']';
      if (!scan.AtEnd() && scan.Peek() == close) {
        scan.Skip();  // empty
      } else {
        if (c == '{' && !scan.Key()) {
          return JsonCheck::kInvalid;
        }
        open.Push(c == '{');
        value_done = false;
      }
    } else if (c == '"') {
      if (!scan.String()) {
        return JsonCheck::kInvalid;
      }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (!scan.Number()) {
        return JsonCheck::kInvalid;
      }
    } else if (!(scan.Literal("true") || scan.Literal("false") || scan.Literal("null"))) {
      return JsonCheck::kInvalid;
    }
    if (!value_done) {
      continue;
    }
    // After a value: the end, a separator, or the close of its container.
    while (true) {
      scan.SkipSpace();
      if (open.empty()) {
        return scan.AtEnd() ? JsonCheck::kValid : JsonCheck::kInvalid;
      }
      if (scan.AtEnd()) {
        return JsonCheck::kInvalid;
      }
      const char next = scan.Peek();
      scan.Skip();
      if (next == ',') {
        if (open.InObject()) {
          scan.SkipSpace();
          if (!scan.Key()) {
            return JsonCheck::kInvalid;
          }
        }
        break;  // the next value
      }
      if (next != (open.InObject() ? '}' : ']')) {
        return JsonCheck::kInvalid;
      }
      open.Pop();
    }
  }
}

}  // namespace worklog

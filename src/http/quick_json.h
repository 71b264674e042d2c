#pragma once

#include <cstddef>
#include <string_view>

#include "http/json.h"

namespace worklog::http {

// A one-pass JSON check for the acknowledgement path, at least as strict as
// CheckJsonNesting + nlohmann::json::accept (RFC 8259 values, strings of valid UTF-8 and
// escapes with paired surrogates, at most kMaxJsonDepth levels): true means both would
// accept the body. It answers false on anything it does not settle itself (a byte-order
// mark, a fraction or exponent that may overflow, a very long number), and the caller then
// asks those two, which also name the problem.
class QuickJson {
 public:
  explicit QuickJson(std::string_view text) : text_(text) {}

  bool Valid() {
    if (!Value(0)) {
      return false;
    }
    SkipSpace();
    return at_ == text_.size();
  }

 private:
  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }
  bool Take(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool Word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) {
      return false;
    }
    at_ += word.size();
    return true;
  }
  bool Digits() {
    const std::size_t start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      ++at_;
    }
    return at_ > start;
  }
  bool Number() {
    const std::size_t start = at_;
    Take('-');
    if (Take('0')) {
      // no leading zeros
    } else if (at_ < text_.size() && text_[at_] >= '1' && text_[at_] <= '9') {
      Digits();
    } else {
      return false;
    }
    bool integer = true;
    if (Take('.')) {
      integer = false;
      if (!Digits()) {
        return false;
      }
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      integer = false;
      if (!Take('+')) {
        Take('-');
      }
      if (!Digits()) {
        return false;
      }
    }
    // Only short integers are settled here: nlohmann refuses a number that overflows a
    // double, which a fraction, an exponent or 300 digits might.
    return integer && at_ - start <= 18;
  }
  static bool Continuation(unsigned char c) { return c >= 0x80 && c <= 0xBF; }
  int Hex4() {
    if (at_ + 4 > text_.size()) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[at_++];
      value *= 16;
      if (c >= '0' && c <= '9') {
        value += c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value += c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value += c - 'A' + 10;
      } else {
        return -1;
      }
    }
    return value;
  }
  bool String() {
    if (!Take('"')) {
      return false;
    }
    while (at_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c < 0x20) {
        return false;
      }
      if (c == '\\') {
        ++at_;
        if (at_ >= text_.size()) {
          return false;
        }
        const char e = text_[at_++];
        if (e == 'u') {
          const int unit = Hex4();
          if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) {
            return false;
          }
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (!Word("\\u")) {
              return false;
            }
            const int low = Hex4();
            if (low < 0xDC00 || low > 0xDFFF) {
              return false;
            }
          }
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                   e != 'r' && e != 't') {
          return false;
        }
        continue;
      }
      if (c < 0x80) {
        ++at_;
        continue;
      }
      // UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
      const std::size_t left = text_.size() - at_;
      const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[at_ + i]); };
      if (c >= 0xC2 && c <= 0xDF) {
        if (left < 2 || !Continuation(byte(1))) {
          return false;
        }
        at_ += 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !Continuation(byte(2))) {
          return false;
        }
        const unsigned char second = byte(1);
        const bool ok = c == 0xE0   ? second >= 0xA0 && second <= 0xBF
                        : c == 0xED ? second >= 0x80 && second <= 0x9F
                                    : Continuation(second);
        if (!ok) {
          return false;
        }
        at_ += 3;
      } else if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !Continuation(byte(2)) || !Continuation(byte(3))) {
          return false;
        }
        const unsigned char second = byte(1);
        const bool ok = c == 0xF0   ? second >= 0x90 && second <= 0xBF
                        : c == 0xF4 ? second >= 0x80 && second <= 0x8F
                                    : Continuation(second);
        if (!ok) {
          return false;
        }
        at_ += 4;
      } else {
        return false;
      }
    }
    return false;
  }
  bool Value(int depth) {
    SkipSpace();
    if (at_ >= text_.size()) {
      return false;
    }
    switch (text_[at_]) {
      case '{': {
        if (depth + 1 > kMaxJsonDepth) {
          return false;
        }
        ++at_;
        SkipSpace();
        if (Take('}')) {
          return true;
        }
        do {
          SkipSpace();
          if (!String()) {
            return false;
          }
          SkipSpace();
          if (!Take(':') || !Value(depth + 1)) {
            return false;
          }
          SkipSpace();
        } while (Take(','));
        return Take('}');
      }
      case '[': {
        if (depth + 1 > kMaxJsonDepth) {
          return false;
        }
        ++at_;
        SkipSpace();
        if (Take(']')) {
          return true;
        }
        do {
          if (!Value(depth + 1)) {
            return false;
          }
          SkipSpace();
        } while (Take(','));
        return Take(']');
      }
      case '"':
        return String();
      case 't':
        return Word("true");
      case 'f':
        return Word("false");
      case 'n':
        return Word("null");
      default:
        return Number();
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace worklog::http

#include "store/codec.h"

#include <fmt/format.h>

namespace worklog::store {
namespace {

void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

class Decoder {
 public:
  explicit Decoder(std::string_view text) : text_(text) {}

  Result<std::vector<std::string>> Array() {
    std::vector<std::string> values;
    SkipSpace();
    if (!Consume('[')) {
      return Fail("expected '['");
    }
    SkipSpace();
    if (Consume(']')) {
      return Done(std::move(values));
    }
    while (true) {
      SkipSpace();
      auto value = String();
      if (!value) {
        return tl::unexpected(value.error());
      }
      values.push_back(std::move(*value));
      SkipSpace();
      if (Consume(']')) {
        return Done(std::move(values));
      }
      if (!Consume(',')) {
        return Fail("expected ',' or ']'");
      }
    }
  }

 private:
  Result<std::vector<std::string>> Done(std::vector<std::string> values) {
    SkipSpace();
    if (pos_ != text_.size()) {
      return Fail("trailing characters");
    }
    return values;
  }

  Result<std::string> String() {
    if (!Consume('"')) {
      return Fail("expected a string");
    }
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        return out;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) {
        break;
      }
      const char escape = text_[pos_++];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escape);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto code_point = Hex4();
          if (!code_point) {
            return tl::unexpected(code_point.error());
          }
          uint32_t cp = *code_point;
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < text_.size() && text_[pos_] == '\\' &&
              text_[pos_ + 1] == 'u') {
            pos_ += 2;
            auto low = Hex4();
            if (!low) {
              return tl::unexpected(low.error());
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Fail("unknown escape");
      }
    }
    return Fail("unterminated string");
  }

  Result<uint32_t> Hex4() {
    if (pos_ + 4 > text_.size()) {
      return Fail("short \\u escape");
    }
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail("bad \\u escape");
      }
    }
    return value;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  tl::unexpected<Error> Fail(std::string_view what) const {
    return Internal(fmt::format("stored JSON array is malformed at byte {}: {}", pos_, what));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(byte));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string EncodeStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    out += JsonString(values[i]);
  }
  out.push_back(']');
  return out;
}

std::string EncodeIntArray(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    out += std::to_string(values[i]);
  }
  out.push_back(']');
  return out;
}

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    out.push_back('"');
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
      }
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string PgIntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    out += std::to_string(values[i]);
  }
  out.push_back('}');
  return out;
}

Result<std::vector<std::string>> DecodeStringArray(std::string_view json) {
  return Decoder(json).Array();
}

}  // namespace worklog::store

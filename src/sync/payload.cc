#include "sync/payload.h"

#include <charconv>

#include <fmt/format.h>

namespace worklog::sync {
namespace {

void AppendQuoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  std::optional<std::string> String() {
    if (!Eat('"')) {
      return std::nullopt;
    }
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        return out;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) {
        return std::nullopt;
      }
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) {
            return std::nullopt;
          }
          unsigned code = 0;
          const auto [end, error] =
              std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (error != std::errc() || end != text_.data() + pos_ + 4 || code > 0x7f) {
            return std::nullopt;  // we only ever write \u00XX control characters
          }
          out += static_cast<char>(code);
          pos_ += 4;
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<int64_t> Integer() {
    SkipSpace();
    int64_t value = 0;
    const auto [end, error] =
        std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
    if (error != std::errc()) {
      return std::nullopt;
    }
    pos_ = static_cast<std::size_t>(end - text_.data());
    return value;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Payload& Payload::Set(std::string key, int64_t value) {
  values_[std::move(key)] = value;
  return *this;
}

Payload& Payload::Set(std::string key, std::string value) {
  values_[std::move(key)] = std::move(value);
  return *this;
}

std::optional<int64_t> Payload::Int(std::string_view key) const {
  const auto found = values_.find(key);
  if (found == values_.end() || !std::holds_alternative<int64_t>(found->second)) {
    return std::nullopt;
  }
  return std::get<int64_t>(found->second);
}

std::optional<std::string> Payload::Text(std::string_view key) const {
  const auto found = values_.find(key);
  if (found == values_.end() || !std::holds_alternative<std::string>(found->second)) {
    return std::nullopt;
  }
  return std::get<std::string>(found->second);
}

Result<int64_t> Payload::RequireInt(std::string_view key) const {
  if (auto value = Int(key)) {
    return *value;
  }
  return InvalidArgument(key, fmt::format("the job payload has no integer \"{}\"", key));
}

std::string Payload::ToJson() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : values_) {
    if (!first) {
      out += ',';
    }
    first = false;
    AppendQuoted(out, key);
    out += ':';
    if (std::holds_alternative<int64_t>(value)) {
      out += std::to_string(std::get<int64_t>(value));
    } else {
      AppendQuoted(out, std::get<std::string>(value));
    }
  }
  out += '}';
  return out;
}

Result<Payload> Payload::Parse(std::string_view json) {
  Reader reader(json);
  Payload payload;
  const auto bad = [] { return InvalidArgument("payload", "not a flat JSON object"); };
  if (!reader.Eat('{')) {
    return bad();
  }
  if (reader.Eat('}')) {
    return reader.AtEnd() ? Result<Payload>(payload) : bad();
  }
  while (true) {
    auto key = reader.String();
    if (!key || !reader.Eat(':')) {
      return bad();
    }
    if (reader.Peek() == '"') {
      auto value = reader.String();
      if (!value) {
        return bad();
      }
      payload.Set(std::move(*key), std::move(*value));
    } else {
      auto value = reader.Integer();
      if (!value) {
        return bad();
      }
      payload.Set(std::move(*key), *value);
    }
    if (reader.Eat(',')) {
      continue;
    }
    if (reader.Eat('}') && reader.AtEnd()) {
      return payload;
    }
    return bad();
  }
}

}  // namespace worklog::sync

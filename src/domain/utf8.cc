#include "domain/utf8.h"

namespace worklog::domain {

std::optional<std::size_t> Utf8Length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned char low = 0x80;  // allowed range of the first continuation byte
    unsigned char high = 0xBF;
    if (lead < 0x80) {
      extra = 0;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      if (lead == 0xE0) {
        low = 0xA0;  // overlong
      } else if (lead == 0xED) {
        high = 0x9F;  // surrogates
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      if (lead == 0xF0) {
        low = 0x90;  // overlong
      } else if (lead == 0xF4) {
        high = 0x8F;  // above U+10FFFF
      }
    } else {
      return std::nullopt;
    }
    if (extra > 0 && i + extra >= text.size()) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      const unsigned char min = k == 1 ? low : 0x80;
      const unsigned char max = k == 1 ? high : 0xBF;
      if (byte < min || byte > max) {
        return std::nullopt;
      }
    }
    i += extra + 1;
    ++count;
  }
  return count;
}

}  // namespace worklog::domain

#include "http/gzip_parts.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace worklog::http {
namespace {

constexpr int kRawDeflate = -15;        // zlib: 32 KiB window, no wrapper
constexpr std::size_t kPartHeader = 8;  // CRC-32 and length, 4 bytes each (host order)

void AppendUint32Le(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
  }
}

// Deflates `data` with `flush` onto `out`.
void Deflate(z_stream& stream, std::string_view data, int flush, std::string& out) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): zlib's input is not written.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::array<char, 16384> buffer{};
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    deflate(&stream, flush);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  } while (stream.avail_out == 0);
}

// Raw deflate streams kept for reuse (a month has a part per day, and each deflateInit
// allocates and clears ~256 KiB): as many as were ever in use at once, per level.
class DeflaterPool {
 public:
  // A stream of `level`, reset, for as long as the Lease lives.
  class Lease {
   public:
    explicit Lease(int level) : level_(std::clamp(level, 0, 9)) {
      {
        std::lock_guard lock(Mutex());
        auto& idle = Pool()[static_cast<std::size_t>(level_)];
        if (!idle.empty()) {
          stream_ = std::move(idle.back());
          idle.pop_back();
        }
      }
      if (stream_) {
        deflateReset(stream_.get());
      } else {
        stream_ = std::make_unique<z_stream>();
        deflateInit2(stream_.get(), level_, Z_DEFLATED, kRawDeflate, 8, Z_DEFAULT_STRATEGY);
      }
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease(Lease&&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      std::lock_guard lock(Mutex());
      Pool()[static_cast<std::size_t>(level_)].push_back(std::move(stream_));
    }
    z_stream& stream() { return *stream_; }

   private:
    int level_;
    std::unique_ptr<z_stream> stream_;
  };

 private:
  static std::mutex& Mutex() {
    static std::mutex mutex;
    return mutex;
  }
  // Never destroyed: streams may be given back while the program exits.
  static std::array<std::vector<std::unique_ptr<z_stream>>, 10>& Pool() {
    static auto* pool = new std::array<std::vector<std::unique_ptr<z_stream>>, 10>();
    return *pool;
  }
};

}  // namespace

std::string DeflatePart(std::string_view data, int level) {
  if (data.empty()) {
    return {};
  }
  DeflaterPool::Lease lease(level);
  z_stream& stream = lease.stream();
  std::string out(kPartHeader, '\0');
  out.reserve(kPartHeader + deflateBound(&stream, static_cast<uLong>(data.size())) + 8);
  Deflate(stream, data, Z_SYNC_FLUSH, out);
  const auto crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  const auto size = static_cast<uint32_t>(data.size());
  std::memcpy(out.data(), &crc, 4);
  std::memcpy(out.data() + 4, &size, 4);
  return out;
}

std::string GzipJoined(std::string_view head, const std::vector<std::string_view>& parts,
                       std::string_view separator, std::string_view tail, int level) {
  std::size_t bytes = 64 + head.size() + tail.size();
  for (const std::string_view part : parts) {
    bytes += part.size() + 16;
  }
  std::string out;
  out.reserve(bytes);
  // The gzip header zlib writes: no name, no time, Unix.
  out.append("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  DeflaterPool::Lease lease(level);
  z_stream& glue = lease.stream();
  uLong crc = crc32(0, nullptr, 0);
  uint32_t size = 0;
  const auto add_glue = [&](std::string_view text, int flush) {
    // A full flush: the glue after a part never refers back into it.
    Deflate(glue, text, flush, out);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
    size += static_cast<uint32_t>(text.size());
  };
  add_glue(head, Z_FULL_FLUSH);
  bool first = true;
  for (const std::string_view part : parts) {
    if (part.size() <= kPartHeader) {
      continue;
    }
    if (!first) {
      add_glue(separator, Z_FULL_FLUSH);
    }
    first = false;
    uint32_t part_crc = 0;
    uint32_t part_size = 0;
    std::memcpy(&part_crc, part.data(), 4);
    std::memcpy(&part_size, part.data() + 4, 4);
    out.append(part.substr(kPartHeader));
    crc = crc32_combine(crc, part_crc, static_cast<z_off_t>(part_size));
    size += part_size;
  }
  add_glue(tail, Z_FINISH);
  AppendUint32Le(out, static_cast<uint32_t>(crc));
  AppendUint32Le(out, size);
  return out;
}

}  // namespace worklog::http

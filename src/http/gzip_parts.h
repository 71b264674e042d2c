#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace worklog::http {

// A gzip body assembled from parts deflated on their own, as pigz joins its blocks: a part
// is compressed once and reused in every body it is in; a body costs the compression of its
// glue only, and a CRC-32 combination per part. The result is one ordinary gzip member.

// `data` deflated on its own (raw deflate ended by a sync flush: byte-aligned, not final),
// with its CRC-32 and length; empty `data`: an empty part.
std::string DeflatePart(std::string_view data, int level);

// The gzip member of `head`, the parts' data joined by `separator` (empty parts left out),
// and `tail`; the glue compressed at `level`.
std::string GzipJoined(std::string_view head, const std::vector<std::string_view>& parts,
                       std::string_view separator, std::string_view tail, int level);

}  // namespace worklog::http

// The Range request header (RFC 9110 section 14): which bytes of a file of known size to send.
// Pure. Only single byte ranges are honoured; anything else gets the whole file, which the RFC
// allows.
#pragma once

#include <cstdint>
#include <string_view>

namespace pxed::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;  // bytes first .. first + length - 1
  bool operator==(const ByteRange&) const = default;
};

enum class RangeKind {
  whole,          // no Range, one we ignore (invalid, other unit, several ranges): 200
  partial,        // one satisfiable range: 206 with Content-Range
  unsatisfiable,  // one valid range that lies past the end: 416 with "bytes */SIZE"
};

struct RangeChoice {
  RangeKind kind = RangeKind::whole;
  ByteRange range;  // whole: {0, size}; partial: the clamped range; unsatisfiable: {0, 0}
};

// `header` is the Range field value, empty when the request had none. Accepts
// "bytes=A-B" (B clamped to the last byte), "bytes=A-" and "bytes=-N" (the last N bytes).
RangeChoice choose_range(std::string_view header, std::uint64_t size);

}  // namespace pxed::http

// The Range request header (RFC 9110 section 14): which bytes of a file of known size to send.
// Pure. choose_range() honours a single byte range only; choose_ranges() also several, which
// the router answers with multipart/byteranges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

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

// At most this many ranges are served as multipart/byteranges, counted after coalescing.
inline constexpr std::size_t kMaxRanges = 16;

struct RangeSet {
  RangeKind kind = RangeKind::whole;
  // whole: {{0, size}}; partial: 1 to kMaxRanges ranges, coalesced, none empty;
  // unsatisfiable: empty.
  std::vector<ByteRange> ranges;
};

// Like choose_range() for a range-set of several comma-separated specs (empty list elements are
// skipped). Any invalid spec, or another unit, makes the whole header ignored (whole).
// Specs lying past the end are dropped; if none is left the answer is unsatisfiable.
// Overlapping and adjacent ranges are coalesced into one; the resulting ranges keep the order
// in which the client first asked for any of their bytes (RFC 9110 section 14.6: parts in the
// order of the request, less those coalesced). More than kMaxRanges after that: whole, since a
// server MAY ignore a Range header (RFC 9110 section 14.2), and the client then still gets what
// it needs in one response without letting a request fan out into thousands of parts (the
// section 14.2 / 15.3.7 denial-of-service note on many small ranges).
RangeSet choose_ranges(std::string_view header, std::uint64_t size);

}  // namespace pxed::http

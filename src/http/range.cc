#include "http/range.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace pxed::http {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A run of digits as a number, saturating at the maximum (a huge first byte is simply past
// the end; a huge last byte is clamped). nullopt if empty or not all digits.
std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  return v;
}

bool unit_is_bytes(std::string_view unit) {
  constexpr std::string_view kBytes = "bytes";
  if (unit.size() != kBytes.size()) return false;
  for (std::size_t i = 0; i < unit.size(); ++i) {
    char c = unit[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBytes[i]) return false;
  }
  return true;
}

RangeChoice whole(std::uint64_t size) {
  return {RangeKind::whole, {0, size}};
}
RangeChoice unsatisfiable() {
  return {RangeKind::unsatisfiable, {0, 0}};
}

enum class Spec { invalid, unsatisfiable, ok };

// One range-spec ("A-B", "A-", "-N") against a file of `size` bytes.
Spec parse_spec(std::string_view spec, std::uint64_t size, ByteRange& out) {
  spec = trim(spec);
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return Spec::invalid;
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);

  if (first_text.empty()) {  // suffix range "-N": the last N bytes
    auto n = parse_number(last_text);
    if (!n) return Spec::invalid;
    if (*n == 0 || size == 0) return Spec::unsatisfiable;
    std::uint64_t len = *n < size ? *n : size;
    out = {size - len, len};
    return Spec::ok;
  }

  auto first = parse_number(first_text);
  if (!first) return Spec::invalid;
  std::uint64_t last = kMax;
  if (!last_text.empty()) {
    auto l = parse_number(last_text);
    if (!l || *l < *first) return Spec::invalid;  // an invalid range is ignored, not refused
    last = *l;
  }
  if (*first >= size) return Spec::unsatisfiable;
  if (last >= size) last = size - 1;
  out = {*first, last - *first + 1};
  return Spec::ok;
}

// The range-set after "bytes=", or nullopt if the header is absent, of another unit or has no
// '='.
std::optional<std::string_view> range_set_of(std::string_view header) {
  header = trim(header);
  std::size_t eq = header.find('=');
  if (header.empty() || eq == std::string_view::npos) return std::nullopt;
  if (!unit_is_bytes(trim(header.substr(0, eq)))) return std::nullopt;
  return trim(header.substr(eq + 1));
}

}  // namespace

RangeChoice choose_range(std::string_view header, std::uint64_t size) {
  auto spec = range_set_of(header);
  if (!spec) return whole(size);
  if (spec->find(',') != std::string_view::npos) return whole(size);  // several ranges
  ByteRange range;
  switch (parse_spec(*spec, size, range)) {
    case Spec::invalid:
      return whole(size);
    case Spec::unsatisfiable:
      return unsatisfiable();
    case Spec::ok:
      break;
  }
  return {RangeKind::partial, range};
}

RangeSet choose_ranges(std::string_view header, std::uint64_t size) {
  const RangeSet all{RangeKind::whole, {ByteRange{0, size}}};
  auto set = range_set_of(header);
  if (!set) return all;

  struct Asked {
    ByteRange range;
    std::size_t order;  // position of the earliest spec merged into it
  };
  std::vector<Asked> asked;
  bool any_spec = false;
  std::string_view rest = *set;
  for (;;) {
    std::size_t comma = rest.find(',');
    std::string_view spec = trim(rest.substr(0, comma));
    if (!spec.empty()) {
      any_spec = true;
      ByteRange range;
      Spec s = parse_spec(spec, size, range);
      if (s == Spec::invalid) return all;
      if (s == Spec::ok) asked.push_back({range, asked.size()});
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!any_spec) return all;
  if (asked.empty()) return {RangeKind::unsatisfiable, {}};

  // Coalesce: sort by first byte, merge what overlaps or touches.
  std::sort(asked.begin(), asked.end(), [](const Asked& a, const Asked& b) {
    return a.range.first != b.range.first ? a.range.first < b.range.first : a.order < b.order;
  });
  std::vector<Asked> merged;
  for (const Asked& a : asked) {
    if (!merged.empty()) {
      Asked& m = merged.back();
      std::uint64_t end = m.range.first + m.range.length;  // one past m's last byte
      if (a.range.first <= end) {
        std::uint64_t a_end = a.range.first + a.range.length;
        if (a_end > end) m.range.length = a_end - m.range.first;
        m.order = std::min(m.order, a.order);
        continue;
      }
    }
    merged.push_back(a);
  }
  if (merged.size() > kMaxRanges) return all;
  std::sort(merged.begin(), merged.end(),
            [](const Asked& a, const Asked& b) { return a.order < b.order; });
  RangeSet out{RangeKind::partial, {}};
  out.ranges.reserve(merged.size());
  for (const Asked& m : merged) out.ranges.push_back(m.range);
  return out;
}

}  // namespace pxed::http

#include "http/range.h"

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

}  // namespace

RangeChoice choose_range(std::string_view header, std::uint64_t size) {
  header = trim(header);
  std::size_t eq = header.find('=');
  if (header.empty() || eq == std::string_view::npos) return whole(size);
  if (!unit_is_bytes(trim(header.substr(0, eq)))) return whole(size);
  std::string_view spec = trim(header.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return whole(size);  // several ranges

  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole(size);
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);

  if (first_text.empty()) {  // suffix range "-N": the last N bytes
    auto n = parse_number(last_text);
    if (!n) return whole(size);
    if (*n == 0 || size == 0) return unsatisfiable();
    std::uint64_t len = *n < size ? *n : size;
    return {RangeKind::partial, {size - len, len}};
  }

  auto first = parse_number(first_text);
  if (!first) return whole(size);
  std::uint64_t last = kMax;
  if (!last_text.empty()) {
    auto l = parse_number(last_text);
    if (!l || *l < *first) return whole(size);  // an invalid range is ignored, not refused
    last = *l;
  }
  if (*first >= size) return unsatisfiable();
  if (last >= size) last = size - 1;
  return {RangeKind::partial, {*first, last - *first + 1}};
}

}  // namespace pxed::http

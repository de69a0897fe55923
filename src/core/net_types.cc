#include "core/net_types.h"

#include <charconv>

#include <fmt/format.h>

namespace pxed {

MacAddress MacAddress::from(ByteView six) {
  std::array<std::uint8_t, 6> b{};
  if (six.size() >= 6) {
    for (std::size_t i = 0; i < 6; ++i) b[i] = six[i];
  }
  return MacAddress(b);
}

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  std::array<std::uint8_t, 6> b{};
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i) {
    std::string_view part = text.substr(i * 3, 2);
    if (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-') return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + 2, v, 16);
    if (ec != std::errc() || p != part.data() + 2) return std::nullopt;
    b[i] = static_cast<std::uint8_t>(v);
  }
  return MacAddress(b);
}

std::string MacAddress::to_string(char sep) const {
  return to_hex(b_, sep);
}

std::optional<Ipv4> Ipv4::parse(std::string_view s) {
  std::uint32_t v = 0;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    unsigned octet = 0;
    auto [q, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || octet > 255 || q - p > 3) return std::nullopt;
    p = q;
    v = (v << 8) | octet;
  }
  if (p != end) return std::nullopt;
  return Ipv4(v);
}

Ipv4 Ipv4::from(ByteView four) {
  if (four.size() < 4) return Ipv4();
  return Ipv4((std::uint32_t{four[0]} << 24) | (std::uint32_t{four[1]} << 16) |
              (std::uint32_t{four[2]} << 8) | std::uint32_t{four[3]});
}

std::array<std::uint8_t, 4> Ipv4::bytes() const {
  return {static_cast<std::uint8_t>(v_ >> 24), static_cast<std::uint8_t>(v_ >> 16),
          static_cast<std::uint8_t>(v_ >> 8), static_cast<std::uint8_t>(v_)};
}

std::string Ipv4::to_string() const {
  return fmt::format("{}.{}.{}.{}", v_ >> 24, (v_ >> 16) & 0xff, (v_ >> 8) & 0xff, v_ & 0xff);
}

}  // namespace pxed

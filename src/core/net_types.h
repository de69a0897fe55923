// Value types for link-layer and IPv4 addresses, kept in host byte order.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace pxed {

class MacAddress {
 public:
  MacAddress() = default;
  explicit MacAddress(const std::array<std::uint8_t, 6>& b) : b_(b) {}
  static MacAddress from(ByteView six);                           // first 6 bytes; zeros if shorter
  static std::optional<MacAddress> parse(std::string_view text);  // aa:bb:cc:dd:ee:ff

  const std::array<std::uint8_t, 6>& bytes() const { return b_; }
  std::string to_string(char sep = ':') const;
  auto operator<=>(const MacAddress&) const = default;

 private:
  std::array<std::uint8_t, 6> b_{};
};

class Ipv4 {
 public:
  constexpr Ipv4() = default;
  constexpr explicit Ipv4(std::uint32_t host_order) : v_(host_order) {}
  static std::optional<Ipv4> parse(std::string_view dotted);
  static Ipv4 from(ByteView four);  // network order bytes; zero if shorter

  constexpr std::uint32_t value() const { return v_; }
  constexpr bool is_zero() const { return v_ == 0; }
  std::array<std::uint8_t, 4> bytes() const;
  std::string to_string() const;
  auto operator<=>(const Ipv4&) const = default;

  static constexpr Ipv4 any() { return Ipv4(0); }
  static constexpr Ipv4 broadcast() { return Ipv4(0xffffffffu); }

 private:
  std::uint32_t v_ = 0;
};

// An address with its prefix: the subnet an interface sits on.
struct Ipv4Network {
  Ipv4 address;
  Ipv4 netmask;

  Ipv4 network() const { return Ipv4(address.value() & netmask.value()); }
  Ipv4 broadcast() const { return Ipv4(network().value() | ~netmask.value()); }
  bool contains(Ipv4 ip) const {
    return (ip.value() & netmask.value()) == (address.value() & netmask.value());
  }
};

}  // namespace pxed

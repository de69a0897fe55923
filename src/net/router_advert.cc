#include "net/router_advert.h"

#include <arpa/inet.h>

#include <algorithm>

#include <fmt/format.h>

namespace pxed::net {

namespace {

constexpr std::uint8_t kOptionSourceLinkLayer = 1;  // RFC 4861 §4.6.1
constexpr std::size_t kOptionUnit = 8;              // option lengths count 8-byte units
constexpr std::size_t kSolicitationFixed = 8;       // type, code, checksum, reserved
constexpr std::uint8_t kManagedFlag = 0x80, kOtherFlag = 0x40;

// Walks the options after the fixed part; sets `mac` from a source link-layer address option.
Result<std::optional<MacAddress>> read_options(ByteReader& r, std::size_t total) {
  std::optional<MacAddress> mac;
  while (!r.at_end()) {
    const std::size_t at = r.position();
    const std::uint8_t option = r.u8();
    const std::uint8_t units = r.u8();
    if (!r.ok())
      return fail(Errc::truncated, fmt::format("option header cut short at byte {}", at));
    if (units == 0) {
      return fail(Errc::malformed, fmt::format("option {} at byte {} has length 0", option, at));
    }
    ByteView body = r.take(units * kOptionUnit - 2);
    if (!r.ok()) {
      return fail(Errc::truncated, fmt::format("option {} at byte {} says {} bytes, {} remain",
                                               option, at, units * kOptionUnit, total - at));
    }
    if (option != kOptionSourceLinkLayer) continue;  // unknown options are ignored (§4.1)
    if (units != 1) {
      return fail(Errc::malformed,
                  fmt::format("source link-layer address option of {} bytes, not an Ethernet "
                              "address (8 bytes)",
                              units * kOptionUnit));
    }
    if (mac) return fail(Errc::malformed, "two source link-layer address options");
    mac = MacAddress::from(body);
  }
  return mac;
}

}  // namespace

bool is_unspecified(const Ipv6Address& a) {
  return std::all_of(a.begin(), a.end(), [](std::uint8_t b) { return b == 0; });
}

bool is_link_local(const Ipv6Address& a) {
  return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

bool is_multicast(const Ipv6Address& a) {
  return a[0] == 0xff;
}

std::string ipv6_to_string(const Ipv6Address& a) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, a.data(), text, sizeof text);
  return text;
}

Result<RouterSolicitation> decode_router_solicitation(ByteView icmp, const Ipv6Address& source,
                                                      int hop_limit) {
  // Checked before the bytes: a hop limit below 255 means the message crossed a router, so it
  // did not come from this link (and could be forged from afar).
  if (hop_limit != kNdpHopLimit) {
    return fail(Errc::malformed,
                fmt::format("hop limit {} (a solicitation from this link has 255)", hop_limit));
  }
  if (is_multicast(source)) return fail(Errc::malformed, "multicast source address");
  ByteReader r(icmp);
  const std::uint8_t type = r.u8();
  const std::uint8_t code = r.u8();
  r.skip(2 + 4);  // checksum (checked by the kernel), reserved (ignored, §4.1)
  if (!r.ok()) {
    return fail(Errc::truncated, fmt::format("{} bytes, a router solicitation has at least {}",
                                             icmp.size(), kSolicitationFixed));
  }
  if (type != kIcmpv6RouterSolicitation) {
    return fail(Errc::malformed, fmt::format("ICMPv6 type {}, not a router solicitation", type));
  }
  if (code != 0) return fail(Errc::malformed, fmt::format("ICMPv6 code {}, not 0", code));

  RouterSolicitation rs;
  auto mac = read_options(r, icmp.size());
  if (!mac) return tl::unexpected(mac.error());
  rs.source_mac = *mac;
  if (rs.source_mac && is_unspecified(source)) {
    return fail(Errc::malformed,
                "source link-layer address option from the unspecified address (RFC 4861 §6.1.1)");
  }
  return rs;
}

Result<RouterAdvertisement> decode_router_advertisement(ByteView icmp, const Ipv6Address& source,
                                                        int hop_limit) {
  if (hop_limit != kNdpHopLimit) {
    return fail(Errc::malformed,
                fmt::format("hop limit {} (an advertisement from this link has 255)", hop_limit));
  }
  if (!is_link_local(source)) {
    return fail(Errc::malformed, "source address is not link-local (RFC 4861 §6.1.2)");
  }
  ByteReader r(icmp);
  const std::uint8_t type = r.u8();
  const std::uint8_t code = r.u8();
  r.skip(2);  // checksum: the kernel's
  RouterAdvertisement ra;
  ra.cur_hop_limit = r.u8();
  const std::uint8_t flags = r.u8();
  ra.router_lifetime = r.u16();
  ra.reachable_time = r.u32();
  ra.retrans_timer = r.u32();
  if (!r.ok()) {
    return fail(Errc::truncated,
                fmt::format("{} bytes, a router advertisement has at least 16", icmp.size()));
  }
  if (type != kIcmpv6RouterAdvertisement) {
    return fail(Errc::malformed, fmt::format("ICMPv6 type {}, not a router advertisement", type));
  }
  if (code != 0) return fail(Errc::malformed, fmt::format("ICMPv6 code {}, not 0", code));
  ra.managed = (flags & kManagedFlag) != 0;
  ra.other = (flags & kOtherFlag) != 0;
  auto mac = read_options(r, icmp.size());
  if (!mac) return tl::unexpected(mac.error());
  ra.source_mac = *mac;
  return ra;
}

Bytes encode_router_solicitation(const std::optional<MacAddress>& ours) {
  ByteWriter w(16);
  w.u8(kIcmpv6RouterSolicitation);
  w.u8(0);   // code
  w.u16(0);  // checksum: the kernel's
  w.u32(0);  // reserved
  if (ours) {
    w.u8(kOptionSourceLinkLayer);
    w.u8(1);
    w.bytes(ours->bytes());
  }
  return w.take();
}

Bytes encode_router_advertisement(const RouterAdvertisement& ra) {
  ByteWriter w(24);
  w.u8(kIcmpv6RouterAdvertisement);
  w.u8(0);   // code
  w.u16(0);  // checksum: the kernel's
  w.u8(ra.cur_hop_limit);
  w.u8(static_cast<std::uint8_t>((ra.managed ? kManagedFlag : 0) | (ra.other ? kOtherFlag : 0)));
  w.u16(ra.router_lifetime);
  w.u32(ra.reachable_time);
  w.u32(ra.retrans_timer);
  if (ra.source_mac) {
    w.u8(kOptionSourceLinkLayer);
    w.u8(1);
    w.bytes(ra.source_mac->bytes());
  }
  return w.take();
}

RouterAdvertisement minimal_router_advertisement(const MacAddress& ours) {
  RouterAdvertisement ra;
  ra.source_mac = ours;
  return ra;
}

Ipv6Address advertisement_destination(const Ipv6Address& source) {
  return is_link_local(source) ? source : kAllNodes;
}

}  // namespace pxed::net

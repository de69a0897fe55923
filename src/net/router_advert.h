// IPv6 Router Solicitation in, minimal Router Advertisement out (RFC 4861 §4.1, §4.2, §6.1.1).
// Pure codec. The messages are ICMPv6 messages as a raw ICMPv6 socket receives and sends them:
// no IPv6 header, and the kernel computes and checks the checksum.
//
// Why pxed answers at all: iPXE configures IPv6 alongside DHCPv4 and, on a link without a router,
// waits about 13 s for an advertisement before it goes on. An advertisement that says "I am not a
// default router (lifetime 0), no prefixes, no DHCPv6 (M=0, O=0)" ends that wait at once and
// changes nothing else on the host.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/net_types.h"
#include "core/result.h"

namespace pxed::net {

using Ipv6Address = std::array<std::uint8_t, 16>;

inline constexpr std::uint8_t kIcmpv6RouterSolicitation = 133;
inline constexpr std::uint8_t kIcmpv6RouterAdvertisement = 134;
// Every Neighbor Discovery message is sent with this hop limit, and refused with any other.
inline constexpr int kNdpHopLimit = 255;

// ff02::1 (all nodes) and ff02::2 (all routers).
inline constexpr Ipv6Address kAllNodes = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline constexpr Ipv6Address kAllRouters = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

bool is_unspecified(const Ipv6Address& a);
bool is_link_local(const Ipv6Address& a);          // fe80::/10
bool is_multicast(const Ipv6Address& a);           // ff00::/8
std::string ipv6_to_string(const Ipv6Address& a);  // RFC 5952 text, "fe80::5054:ff:fee2:e001"

struct RouterSolicitation {
  // From the source link-layer address option (type 1), if the host sent one.
  std::optional<MacAddress> source_mac;
  bool operator==(const RouterSolicitation&) const = default;
};

// Validates `icmp` as a Router Solicitation the way RFC 4861 §6.1.1 asks: hop limit 255, type
// 133, code 0, at least 8 bytes, every option's length above zero and within the message, no
// source link-layer address option if the source is the unspecified address; a multicast source
// is refused too. Unknown options are skipped. A source link-layer address option must carry an
// Ethernet address (length 1, i.e. 8 bytes). malformed or truncated with the reason otherwise.
Result<RouterSolicitation> decode_router_solicitation(ByteView icmp, const Ipv6Address& source,
                                                      int hop_limit);

struct RouterAdvertisement {
  std::uint8_t cur_hop_limit = 0;        // 0: unspecified, the host keeps its own
  bool managed = false;                  // M: addresses from DHCPv6
  bool other = false;                    // O: other configuration from DHCPv6
  std::uint16_t router_lifetime = 0;     // seconds; 0: not a default router
  std::uint32_t reachable_time = 0;      // ms; 0: unspecified
  std::uint32_t retrans_timer = 0;       // ms; 0: unspecified
  std::optional<MacAddress> source_mac;  // source link-layer address option
};

// The ICMPv6 message with a zero checksum (the kernel fills it in on a raw ICMPv6 socket):
// 16 bytes, plus 8 for the source link-layer address option.
Bytes encode_router_advertisement(const RouterAdvertisement& ra);

// Validates an advertisement another router sent (RFC 4861 §6.1.2: hop limit 255, a link-local
// source, type 134, code 0, at least 16 bytes, sane option lengths) and reads its fixed part and
// source link-layer address. Other options (prefixes, MTU, ...) are skipped.
Result<RouterAdvertisement> decode_router_advertisement(ByteView icmp, const Ipv6Address& source,
                                                        int hop_limit);

// A router solicitation: 8 bytes, plus the source link-layer address option if `ours` is given
// (it must not be when sending from the unspecified address).
Bytes encode_router_solicitation(const std::optional<MacAddress>& ours);

// What pxed sends: lifetime 0, M=0, O=0, all timers unspecified, no prefix, our MAC.
RouterAdvertisement minimal_router_advertisement(const MacAddress& ours);

// Where the advertisement for a solicitation from `source` goes (RFC 4861 §6.2.6): to the
// soliciting host if it used a link-local address, else to all nodes (ff02::1).
Ipv6Address advertisement_destination(const Ipv6Address& source);

}  // namespace pxed::net

// Builds an IPv4 + UDP datagram around a payload, for the raw send path that reaches a client
// which has no address yet (so the kernel could not ARP for it). Pure.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::net {

struct UdpEndpoints {
  Ipv4 src_ip;
  std::uint16_t src_port;
  Ipv4 dst_ip;
  std::uint16_t dst_port;
};

Bytes build_ipv4_udp(const UdpEndpoints& ep, ByteView payload, std::uint8_t ttl = 64);

// The Internet checksum (RFC 1071) over data, continuing from a partial sum.
std::uint16_t internet_checksum(ByteView data, std::uint32_t sum = 0);

}  // namespace pxed::net

namespace pxed::net {

// Asks for a receive buffer of `bytes` on a socket (SO_RCVBUFFORCE when we may, so that a burst
// of requests - a rack powering on - queues instead of being dropped; else SO_RCVBUF, which the
// kernel caps at net.core.rmem_max). Best effort: a refusal leaves the default.
void enlarge_receive_buffer(int fd, int bytes);

}  // namespace pxed::net

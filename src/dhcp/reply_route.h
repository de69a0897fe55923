// Where a DHCP reply goes: RFC 2131 §4.1, as one pure function.
#pragma once

#include <cstdint>

#include "core/net_types.h"
#include "dhcp/packet.h"

namespace pxed::dhcp {

struct Destination {
  enum class Kind : std::uint8_t {
    relay,             // to giaddr, port 67
    unicast,           // to ciaddr, port 68: the client has a working address
    broadcast,         // to 255.255.255.255 port 68 on the arrival interface
    hardware_unicast,  // to yiaddr port 68 at chaddr, without ARP: the client has no address yet
  };
  Kind kind;
  Ipv4 ip;
  std::uint16_t port;
};

// RFC 2131 §4.1:
//  "If the 'giaddr' field in a DHCP message from a client is non-zero, the server sends any
//   return messages to the 'DHCP server' port on the BOOTP relay agent whose address appears
//   in 'giaddr'. If the 'giaddr' field is zero and the 'ciaddr' field is nonzero, then the
//   server unicasts DHCPOFFER and DHCPACK messages to the address in 'ciaddr'. If 'giaddr' is
//   zero and 'ciaddr' is zero, and the broadcast bit is set, then the server broadcasts
//   DHCPOFFER and DHCPACK messages to 0xffffffff. If the broadcast bit is not set and 'giaddr'
//   is zero and 'ciaddr' is zero, then the server unicasts DHCPOFFER and DHCPACK messages to
//   the client's hardware address and 'yiaddr' address. In all cases, when 'giaddr' is zero,
//   the server broadcasts any DHCPNAK messages to 0xffffffff."
Destination route_reply(const Packet& request, const Packet& reply);

}  // namespace pxed::dhcp

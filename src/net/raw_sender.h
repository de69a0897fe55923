// Sends an IPv4/UDP datagram straight to a hardware address on one interface (AF_PACKET), for
// DHCP replies to a client that has no address yet and so cannot answer ARP (RFC 2131 §4.1).
#pragma once

#include "core/bytes.h"
#include "core/net_types.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "net/ipv4_udp.h"

namespace pxed::net {

class RawSender {
 public:
  // Throws std::system_error if the packet socket cannot be opened (needs CAP_NET_RAW).
  explicit RawSender(unsigned ifindex);

  Result<void> send(const MacAddress& to, const UdpEndpoints& ep, ByteView payload) const;

 private:
  unsigned ifindex_;
  UniqueFd fd_;
};

}  // namespace pxed::net

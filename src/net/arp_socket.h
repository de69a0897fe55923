// ARP on one interface through a packet socket (AF_PACKET, SOCK_DGRAM: the kernel adds and strips
// the Ethernet header). Thin I/O around the pure codec in net/arp.h.
#pragma once

#include <optional>

#include "core/result.h"
#include "core/unique_fd.h"
#include "net/arp.h"

namespace pxed::net {

// A non-blocking socket that receives every ARP packet on the interface. Throws std::system_error
// if it cannot be opened (needs CAP_NET_RAW).
UniqueFd open_arp_socket(unsigned ifindex);

// Sends `p` to the Ethernet broadcast address.
Result<void> send_arp(int fd, unsigned ifindex, const ArpPacket& p);

// The next ARP packet another host sent, skipping our own and malformed ones; nullopt when none
// is queued.
std::optional<ArpPacket> receive_arp(int fd);

}  // namespace pxed::net

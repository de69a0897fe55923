#include "net/raw_sender.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace pxed::net {

RawSender::RawSender(unsigned ifindex) : ifindex_(ifindex) {
  // SOCK_DGRAM: the kernel writes the Ethernet header from the address we give.
  fd_.reset(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP)));
  if (!fd_.valid()) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot open a packet socket for DHCP replies");
  }
  // Send only; never queue received frames.
  sockaddr_ll bind_addr{};
  bind_addr.sll_family = AF_PACKET;
  bind_addr.sll_protocol = 0;
  bind_addr.sll_ifindex = static_cast<int>(ifindex);
  ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&bind_addr), sizeof bind_addr);
}

Result<void> RawSender::send(const MacAddress& to, const UdpEndpoints& ep, ByteView payload) const {
  Bytes frame = build_ipv4_udp(ep, payload);
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_IP);
  addr.sll_ifindex = static_cast<int>(ifindex_);
  addr.sll_halen = 6;
  std::memcpy(addr.sll_addr, to.bytes().data(), 6);
  if (::sendto(fd_.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&addr),
               sizeof addr) < 0) {
    return fail(Errc::io, std::strerror(errno));
  }
  return {};
}

}  // namespace pxed::net

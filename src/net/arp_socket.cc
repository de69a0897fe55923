#include "net/arp_socket.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace pxed::net {

UniqueFd open_arp_socket(unsigned ifindex) {
  UniqueFd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
  if (!fd.valid()) {
    throw std::system_error(errno, std::generic_category(), "cannot open an ARP packet socket");
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ARP);
  addr.sll_ifindex = static_cast<int>(ifindex);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot bind the ARP packet socket");
  }
  return fd;
}

Result<void> send_arp(int fd, unsigned ifindex, const ArpPacket& p) {
  Bytes payload = encode_arp(p);
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ARP);
  addr.sll_ifindex = static_cast<int>(ifindex);
  addr.sll_halen = 6;
  std::memset(addr.sll_addr, 0xff, 6);
  if (::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&addr),
               sizeof addr) < 0) {
    return fail(Errc::io, std::strerror(errno));
  }
  return {};
}

std::optional<ArpPacket> receive_arp(int fd) {
  std::array<std::uint8_t, 128> buf{};
  for (int i = 0; i < 64; ++i) {  // bounded: a flood must not keep the loop here
    sockaddr_ll from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;  // EAGAIN: nothing queued (or an error: try again later)
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    if (auto p = decode_arp(ByteView(buf.data(), static_cast<std::size_t>(n)))) return p;
  }
  return std::nullopt;
}

}  // namespace pxed::net

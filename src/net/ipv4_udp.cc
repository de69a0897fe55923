#include "net/ipv4_udp.h"

#include <sys/socket.h>

namespace pxed::net {

std::uint16_t internet_checksum(ByteView data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2)
    sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

Bytes build_ipv4_udp(const UdpEndpoints& ep, ByteView payload, std::uint8_t ttl) {
  constexpr std::size_t kIpHeader = 20, kUdpHeader = 8;
  auto udp_len = static_cast<std::uint16_t>(kUdpHeader + payload.size());
  auto total = static_cast<std::uint16_t>(kIpHeader + udp_len);
  ByteWriter w(total);
  w.u8(0x45);  // version 4, header length 5 words
  w.u8(0);     // DSCP/ECN
  w.u16(total);
  w.u16(0);       // identification
  w.u16(0x4000);  // don't fragment
  w.u8(ttl);
  w.u8(17);  // UDP
  w.u16(0);  // header checksum, filled below
  w.u32(ep.src_ip.value());
  w.u32(ep.dst_ip.value());
  Bytes& b = w.data();
  std::uint16_t ip_sum = internet_checksum(ByteView(b.data(), kIpHeader));
  b[10] = static_cast<std::uint8_t>(ip_sum >> 8);
  b[11] = static_cast<std::uint8_t>(ip_sum);

  w.u16(ep.src_port);
  w.u16(ep.dst_port);
  w.u16(udp_len);
  w.u16(0);  // checksum, filled below
  w.bytes(payload);
  // UDP checksum over the pseudo-header (addresses, protocol, length) and the datagram.
  std::uint32_t pseudo = (ep.src_ip.value() >> 16) + (ep.src_ip.value() & 0xffff) +
                         (ep.dst_ip.value() >> 16) + (ep.dst_ip.value() & 0xffff) + 17 + udp_len;
  std::uint16_t udp_sum = internet_checksum(ByteView(b.data() + kIpHeader, udp_len), pseudo);
  if (udp_sum == 0) udp_sum = 0xffff;  // zero means "no checksum" in UDP over IPv4
  b[kIpHeader + 6] = static_cast<std::uint8_t>(udp_sum >> 8);
  b[kIpHeader + 7] = static_cast<std::uint8_t>(udp_sum);
  return w.take();
}

}  // namespace pxed::net

namespace pxed::net {

void enlarge_receive_buffer(int fd, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
}

}  // namespace pxed::net

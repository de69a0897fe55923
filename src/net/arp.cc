#include "net/arp.h"

namespace pxed::net {

namespace {
constexpr std::uint16_t kEthernet = 1, kIpv4 = 0x0800;
}

Bytes encode_arp(const ArpPacket& p) {
  ByteWriter w(kArpSize);
  w.u16(kEthernet);
  w.u16(kIpv4);
  w.u8(6);
  w.u8(4);
  w.u16(p.op);
  w.bytes(p.sender_mac.bytes());
  w.bytes(p.sender_ip.bytes());
  w.bytes(p.target_mac.bytes());
  w.bytes(p.target_ip.bytes());
  return w.take();
}

std::optional<ArpPacket> decode_arp(ByteView data) {
  ByteReader r(data);
  std::uint16_t htype = r.u16();
  std::uint16_t ptype = r.u16();
  std::uint8_t hlen = r.u8();
  std::uint8_t plen = r.u8();
  ArpPacket p;
  p.op = r.u16();
  p.sender_mac = MacAddress::from(r.take(6));
  p.sender_ip = Ipv4::from(r.take(4));
  p.target_mac = MacAddress::from(r.take(6));
  p.target_ip = Ipv4::from(r.take(4));
  if (!r.ok() || htype != kEthernet || ptype != kIpv4 || hlen != 6 || plen != 4) {
    return std::nullopt;
  }
  if (p.op != ArpPacket::kRequest && p.op != ArpPacket::kReply) return std::nullopt;
  return p;
}

ArpPacket arp_probe(const MacAddress& own_mac, Ipv4 target) {
  return ArpPacket{ArpPacket::kRequest, own_mac, Ipv4::any(), MacAddress(), target};
}

}  // namespace pxed::net

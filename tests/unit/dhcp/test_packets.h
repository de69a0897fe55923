// Hand-built DHCP requests with the exact option bytes real clients send
// (../shared/docs/PXE-CLIENTS.md), written byte by byte so the decoder is not tested with itself.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::dhcp::testing {

struct RawOption {
  std::uint8_t code;
  Bytes value;
};

inline Bytes str_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline Bytes raw_request(const MacAddress& mac, std::uint32_t xid, std::uint16_t flags,
                         std::initializer_list<RawOption> options, Ipv4 ciaddr = Ipv4(),
                         Ipv4 giaddr = Ipv4()) {
  ByteWriter w;
  w.u8(1);  // BOOTREQUEST
  w.u8(1);
  w.u8(6);
  w.u8(0);
  w.u32(xid);
  w.u16(0);
  w.u16(flags);
  w.u32(ciaddr.value());
  w.u32(0);
  w.u32(0);
  w.u32(giaddr.value());
  w.bytes(mac.bytes());
  w.zeros(10 + 64 + 128);
  w.u32(0x63825363);
  for (const RawOption& o : options) {
    w.u8(o.code);
    w.u8(static_cast<std::uint8_t>(o.value.size()));
    w.bytes(o.value);
  }
  w.u8(255);
  return w.take();
}

inline const MacAddress kQemuMac = *MacAddress::parse("52:54:00:e2:e0:01");

inline Bytes prl_ipxe() {
  Bytes v = {1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119};
  for (std::uint8_t c = 128; c <= 135; ++c) v.push_back(c);
  v.push_back(175);
  v.push_back(203);
  return v;
}

// iPXE in QEMU's BIOS ROM.
inline Bytes ipxe_bios(std::uint8_t type, std::initializer_list<RawOption> extra = {}) {
  Bytes client_id = {1};
  client_id.insert(client_id.end(), kQemuMac.bytes().begin(), kQemuMac.bytes().end());
  Bytes uuid(17, 0);
  std::initializer_list<RawOption> base = {
      {53, {type}},
      {57, {0x05, 0xc0}},  // 1472
      {93, {0, 0}},
      {94, {1, 2, 1}},
      {60, str_bytes("PXEClient:Arch:00000:UNDI:002001")},
      {77, str_bytes("iPXE")},  // raw, not RFC 3004
      {55, prl_ipxe()},
      {175, {177, 5, 1, 0x1a, 0xf4, 0x10, 0x00, 235, 3, 1, 0, 0, 16, 1, 1, 19, 1, 1}},
      {61, client_id},
      {97, uuid},
  };
  Bytes out = raw_request(kQemuMac, 0x1234, 0, base);
  if (extra.size() == 0) return out;
  // Rebuild with the extra options appended (e.g. 50 and 54 for a REQUEST).
  std::vector<RawOption> all(base);
  all.insert(all.end(), extra);
  ByteWriter w;
  w.bytes(ByteView(out.data(), 240));
  for (const RawOption& o : all) {
    w.u8(o.code);
    w.u8(static_cast<std::uint8_t>(o.value.size()));
    w.bytes(o.value);
  }
  w.u8(255);
  return w.take();
}

}  // namespace pxed::dhcp::testing

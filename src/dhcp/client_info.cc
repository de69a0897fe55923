#include "dhcp/client_info.h"

#include <algorithm>

namespace pxed::dhcp {

bool user_class_is_ipxe(const Bytes& v) {
  std::string_view raw = as_chars(v);
  if (raw == "iPXE") return true;
  // RFC 3004: a list of (length, data) items.
  ByteReader r(v);
  while (!r.at_end()) {
    std::uint8_t len = r.u8();
    ByteView item = r.take(len);
    if (!r.ok()) return false;
    if (as_chars(item) == "iPXE") return true;
  }
  return false;
}

ClientInfo classify(const Packet& p) {
  ClientInfo c;
  c.mac = p.mac();
  if (const Bytes* a = p.options.get(opt::kClientArch); a && a->size() >= 2) {
    c.arch = static_cast<std::uint16_t>(((*a)[0] << 8) | (*a)[1]);
  }
  if (const Bytes* uc = p.options.get(opt::kUserClass)) c.ipxe = user_class_is_ipxe(*uc);
  if (p.options.has(opt::kIpxeEncap)) c.ipxe = true;
  c.vendor_class = p.options.string(opt::kVendorClass).value_or("");
  if (c.vendor_class.starts_with("PXEClient")) {
    c.firmware = FirmwareClass::pxe;
  } else if (c.vendor_class.starts_with("HTTPClient")) {
    c.firmware = FirmwareClass::http;
  }
  c.hostname = p.options.string(opt::kHostName).value_or("");
  return c;
}

std::string client_key(const Packet& p) {
  const Bytes* id = p.options.get(opt::kClientId);
  std::size_t hlen = std::min<std::size_t>(p.hlen, 16);
  ByteView hw(p.chaddr.data(), hlen);
  if (id && !id->empty()) {
    bool is_hw = (*id)[0] == p.htype && id->size() == hlen + 1 &&
                 std::equal(id->begin() + 1, id->end(), hw.begin());
    if (!is_hw) return "id:" + to_hex(*id);
  }
  return "hw:" + to_hex(hw, ':');
}

}  // namespace pxed::dhcp

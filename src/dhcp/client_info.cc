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

// Option 77 as text: raw ("iPXE", as iPXE sends it) or RFC 3004 items joined by ','. Bytes that
// are not printable ASCII make it unusable for matching: empty.
std::string user_class_text(const Bytes& v) {
  auto printable = [](ByteView b) {
    return !b.empty() && std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
  };
  if (printable(v)) return std::string(as_chars(v));
  std::string out;
  ByteReader r(v);
  while (!r.at_end()) {
    std::uint8_t len = r.u8();
    ByteView item = r.take(len);
    if (!r.ok() || !printable(item)) return {};
    out += (out.empty() ? "" : ",") + std::string(as_chars(item));
  }
  return out;
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
  if (const Bytes* uc = p.options.get(opt::kUserClass)) c.user_class = user_class_text(*uc);
  if (const Bytes* id = p.options.get(opt::kClientUuid); id && id->size() == 17 && (*id)[0] == 0) {
    c.uuid = Bytes(id->begin() + 1, id->end());
  }
  return c;
}

boot::BootRequest boot_request(const ClientInfo& client, Ipv4 server, std::int64_t now) {
  boot::BootRequest r;
  r.mac = client.mac;
  r.arch = client.arch;
  r.ipxe = client.ipxe;
  r.http_boot = client.firmware == FirmwareClass::http;
  r.server = server;
  r.uuid = client.uuid;
  r.user_class = client.user_class;
  r.hostname = client.hostname;
  r.now = now;
  return r;
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

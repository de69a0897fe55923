// What a DHCP request says about the machine that sent it: architecture (option 93), whether it
// is iPXE (user class 77, either raw "iPXE" or RFC 3004 length-prefixed, or option 175), and
// whether it is a PXE or UEFI HTTP Boot firmware (vendor class 60). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "boot/policy.h"
#include "core/net_types.h"
#include "dhcp/packet.h"

namespace pxed::dhcp {

enum class FirmwareClass : std::uint8_t { other, pxe, http };

struct ClientInfo {
  MacAddress mac;
  std::optional<std::uint16_t> arch;  // first entry of option 93
  bool ipxe = false;
  FirmwareClass firmware = FirmwareClass::other;
  std::string vendor_class;
  std::string hostname;
  std::string user_class;     // option 77 as text (RFC 3004 length prefixes removed)
  std::optional<Bytes> uuid;  // option 97: the 16 bytes after type 0
};

ClientInfo classify(const Packet& p);

// What the boot policy is asked for this client, reached on `server` at `now` (unix seconds).
boot::BootRequest boot_request(const ClientInfo& client, Ipv4 server, std::int64_t now);

// Option 77 as text: raw ("iPXE") or RFC 3004 items joined by ','; empty if not printable.
std::string user_class_text(const Bytes& option77);

// True if option 77 holds the user class "iPXE" in either encoding.
bool user_class_is_ipxe(const Bytes& option77);

// The identity a lease is bound to: option 61, unless it is just type 1 + chaddr, in which case
// it is the hardware address itself. So PXE firmware (often no 61) and iPXE or the OS (61 =
// 01 + MAC) count as one machine and never take two addresses.
std::string client_key(const Packet& p);

}  // namespace pxed::dhcp

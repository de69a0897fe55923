// ProxyDHCP (PXE 2.1 §2.2.3), without I/O: pxed beside a site DHCP server that hands out the
// addresses. It has no pool and no leases; it answers PXE and UEFI HTTP Boot clients only (vendor
// class 60 "PXEClient..." or "HTTPClient..."), with boot information only (yiaddr stays 0):
//
//  - port 67, DISCOVER -> proxy OFFER: 53, 54 (us), 60 "PXEClient", 97 echoed. BIOS clients
//    (option 93 = 0 or absent) get the boot file in it (siaddr, file, 66, 67) and option 43 with
//    PXE_DISCOVERY_CONTROL (sub-option 6) = 8, "boot the file in this reply", so PXE ROMs skip
//    boot-server discovery and iPXE uses the offer as it is. UEFI PXE clients get no boot file
//    ("BINL" offer): edk2 reliably asks port 4011 for it once the site server's ACK is in, and so
//    does iPXE when an offer names no file. HTTP Boot clients get 60 "HTTPClient" and the URL.
//  - port 4011 (and port 67 when the REQUEST names us in 54, or asks for a boot-server item in
//    43.71), REQUEST -> ACK with the boot file, unicast back to the address and port it came
//    from. A boot item asked for (43.71) is echoed, as boot-server discovery requires.
//  - everything else, and every client that is not PXE, gets no answer: the site server's job.
#pragma once

#include <cstdint>

#include "boot/policy.h"
#include "dhcp/packet.h"
#include "dhcp/responder.h"

namespace pxed::dhcp {

inline constexpr std::uint16_t kPxeBootServerPort = 4011;

// Which of our ports a request reached.
enum class ProxyPort : std::uint8_t {
  dhcp,         // 67, broadcasts from clients still without an address
  boot_server,  // 4011, unicast from clients that have their address from the site server
};

// The IP source address and UDP port of a request: where a boot-server ACK goes back to.
struct Source {
  Ipv4 ip;
  std::uint16_t port = 68;
};

// PXE vendor options (option 43) sub-options.
namespace pxe_opt {
inline constexpr std::uint8_t kDiscoveryControl = 6;
inline constexpr std::uint8_t kBootItem = 71;
// PXE_DISCOVERY_CONTROL bit 3: download the boot file named in this reply, no discovery.
inline constexpr std::uint8_t kUseBootFile = 8;
}  // namespace pxe_opt

class ProxyResponder {
 public:
  explicit ProxyResponder(const boot::Policy& policy) : policy_(policy) {}

  // Handles one request at `now` (unix seconds); the decision never carries a lease ticket or
  // a probe.
  Decision handle(const Packet& request, const Arrival& arrival, ProxyPort port,
                  const Source& from, std::int64_t now) const;

 private:
  const boot::Policy& policy_;
};

}  // namespace pxed::dhcp

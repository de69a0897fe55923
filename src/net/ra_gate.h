// Which IPv6 router solicitations pxed answers. Pure: no sockets, no clock (times are passed in,
// in milliseconds of a steady clock), no logging.
//
// In `all` mode every valid solicitation is answered. In `pxe_clients` mode (the default) pxed
// answers only a machine it is network-booting right now, and only on a link where no real router
// advertises:
//  - a machine counts as booting for `booting_ms` after a PXE, iPXE or HTTP Boot DHCP message of
//    its MAC (the MAC comes from the solicitation's source link-layer address option, or from an
//    EUI-64 link-local source address);
//  - iPXE solicits a router at the same moment it sends its first DHCPDISCOVER, so a solicitation
//    from a MAC not yet seen is held for `hold_ms` and answered as soon as its DHCP arrives;
//  - any advertisement from another router on the link within `router_quiet_ms` keeps pxed silent
//    there: that router answers, and pxed must not add an advertisement next to a real one.
// So on a production LAN pxed speaks IPv6 only to machines that are PXE-booting from it, on links
// without an IPv6 router, and what it says configures nothing (lifetime 0, no prefix, M=0 O=0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/net_types.h"
#include "net/router_advert.h"

namespace pxed::net {

enum class RaMode { off, pxe_clients, all };

// "off", "pxe-clients", "all"; nullopt for anything else.
std::optional<RaMode> parse_ra_mode(std::string_view text);
const char* to_string(RaMode mode);

struct RaGateConfig {
  RaMode mode = RaMode::pxe_clients;
  std::int64_t booting_ms = 300'000;          // a PXE client's DHCP makes it "booting" this long
  std::int64_t hold_ms = 5'000;               // an unknown solicitor waits this long for its DHCP
  std::int64_t router_quiet_ms = 1'800'000;   // 3 x the default MaxRtrAdvInterval (RFC 4861 §6.2.1)
  std::size_t capacity = 4096;                // booting machines and held solicitations, each
};

// The MAC inside a modified EUI-64 interface identifier (RFC 4291 §2.5.1, appendix A):
// fe80::XXYY:ZZff:feUU:VVWW with the universal/local bit flipped back. nullopt if the address is
// not link-local or its identifier was not made from a MAC (no ff:fe in the middle).
std::optional<MacAddress> mac_from_eui64(const Ipv6Address& link_local);

class RaGate {
 public:
  enum class Verdict {
    answer,          // send the advertisement now
    hold,            // held until this MAC's DHCP is seen (pxe_client returns it) or hold_ms pass
    router_present,  // another router advertised on this link lately: it answers
    not_booting,     // not a machine pxed is booting (or no MAC to tell)
  };
  struct Held {
    std::string link;
    Ipv6Address source;
    MacAddress mac;
  };

  explicit RaGate(RaGateConfig config = {}) : config_(config) {}

  RaMode mode() const { return config_.mode; }

  // A valid router solicitation on `link`, from `source`, with `mac` if it is known.
  Verdict solicitation(const std::string& link, const std::optional<MacAddress>& mac,
                       const Ipv6Address& source, std::int64_t now_ms);
  // An advertisement from another router on `link`. True if that link was quiet until now (so
  // the caller can say once that pxed steps back there).
  bool router_heard(const std::string& link, std::int64_t now_ms);
  // A PXE client's DHCP message from `mac`: it is booting from now on. Returns the solicitations
  // held for it, to answer now (those on a link where a router has been heard since are dropped).
  std::vector<Held> pxe_client(const MacAddress& mac, std::int64_t now_ms);

  std::size_t booting() const { return booting_.size(); }
  std::size_t held() const { return held_.size(); }

 private:
  bool router_present(const std::string& link, std::int64_t now_ms) const;
  void expire(std::int64_t now_ms);

  struct HeldEntry {
    Held h;
    std::int64_t until_ms;
  };
  RaGateConfig config_;
  std::map<MacAddress, std::int64_t> booting_;      // MAC -> booting until
  std::map<std::string, std::int64_t> routers_;     // link -> last advertisement from a router
  std::deque<HeldEntry> held_;                      // oldest first
};

}  // namespace pxed::net

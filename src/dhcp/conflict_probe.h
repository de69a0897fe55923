// Conflict detection after offering: which offered addresses are being probed (ARP) and whether
// an ARP packet just seen proves that somebody else already uses one. Pure: the I/O shell sends
// the probes and feeds every ARP packet it sees, with the time.
//
// The offer is never held back for the probe. An address counts as conflicting when, within the
// probe window, a host other than the client it was offered to speaks ARP from it (answers our
// probe, probes it itself, or announces it). ARP has no negative answer, so a REQUEST that comes
// in while the probe runs has its ACK held until the window closes (at most the window after the
// offer), and a conflict found meanwhile turns that ACK into a NAK.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/net_types.h"

namespace pxed::dhcp {

class ConflictProbes {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConflictProbes(Clock::duration window = std::chrono::milliseconds(500)) : window_(window) {}

  // Starts probing `address`, offered to `client` on `interface`. False if it is already being
  // probed (no second ARP request is needed).
  bool start(Ipv4 address, const std::string& interface, const MacAddress& client,
             Clock::time_point now);

  struct Conflict {
    Ipv4 address;
    MacAddress owner;   // the host that uses it
    MacAddress client;  // the client it was offered to
  };
  // An ARP packet from `sender_mac` claiming `sender_ip` arrived on `interface`.
  std::optional<Conflict> on_arp(const std::string& interface, Ipv4 sender_ip,
                                 const MacAddress& sender_mac, Clock::time_point now);

  // When the probe of `address` on `interface` ends, if one is running: an ACK for the address
  // waits until then, or until a conflict is found.
  std::optional<Clock::time_point> running(Ipv4 address, const std::string& interface,
                                           Clock::time_point now) const;

  // Probes started and not yet expired or answered (expired ones may linger until a sweep).
  std::size_t pending() const { return probes_.size(); }

 private:
  struct Probe {
    std::string interface;
    MacAddress client;
    Clock::time_point until;
  };
  void expire(Clock::time_point now);

  Clock::duration window_;
  Clock::time_point next_sweep_{};
  std::map<Ipv4, Probe> probes_;
};

}  // namespace pxed::dhcp

// The DHCP server's logic, without I/O: a decoded request, where it arrived and the current time
// in, a decision out (a reply and where it goes, or a reason to stay silent). It picks the
// subnet (arrival interface, relay giaddr or option 82 link selection), honours reservations,
// allocates from the pools, consults the boot policy for the boot file and the lease store for
// leases. Offers in flight and per-MAC rate counters are held here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boot/policy.h"
#include "config/config.h"
#include "core/net_types.h"
#include "dhcp/allocator.h"
#include "dhcp/client_info.h"
#include "dhcp/packet.h"
#include "dhcp/reply_route.h"
#include "lease/lease.h"

namespace pxed::dhcp {

// Where a request came in: the interface and our address on it (the server identifier).
struct Arrival {
  std::string interface;
  Ipv4 local_address;
};

// What happened, for the log line and the boot timeline.
struct Exchange {
  ClientInfo client;
  MessageType request = MessageType::discover;
  std::optional<MessageType> reply;
  Ipv4 address;
  std::string boot_file;
  std::string profile;  // the boot profile that chose boot_file; empty if none
  Ipv4 relay;        // giaddr, if relayed
  std::string note;  // why nothing was sent, or a remark
};

struct Reply {
  Packet packet;
  Destination destination;
  std::size_t max_size = kMinMessageSize;
};

struct Decision {
  std::optional<Reply> reply;  // nothing: stay silent
  Exchange exchange;
  // The reply promises a lease: send it only once the store reports this write ticket durable
  // (LeaseStore::last_write_ticket); 0 = send at once.
  std::uint64_t durable_ticket = 0;
  // Conflict detection: probe this offered address (ARP on the arrival interface) after sending
  // the reply, and report an answer from another host to Responder::conflict().
  std::optional<Ipv4> probe;
};

class Responder {
 public:
  // The config must have passed config::validate(); it is copied.
  Responder(const config::DhcpConfig& config, const boot::Policy& policy, lease::LeaseStore& store);

  // Handles one request. `now` is unix seconds.
  Decision handle(const Packet& request, const Arrival& arrival, std::int64_t now);

  // Another host (`owner`) uses `address`, which was offered to `client`: unless the client has
  // been told it may keep it, the address is quarantined (like a DECLINE) and the client's
  // REQUEST for it is NAKed. `ack_withheld`: the lease was written but its ACK never sent, so the
  // quarantine replaces it. Returns what happened, for the log.
  std::string conflict(Ipv4 address, const MacAddress& owner, const MacAddress& client,
                       std::int64_t now, bool ack_withheld = false);

  // Deletes lease rows that expired more than `config.expired_lease_retention` seconds ago
  // (quarantine rows as soon as they expire). Returns how many.
  std::size_t reclaim(std::int64_t now);

 private:
  struct Subnet {
    const config::Subnet* cfg;
    Allocator allocator;
    std::uint32_t lease_time, renew_time, rebind_time;
    bool authoritative;
  };
  struct Offer {
    std::string client_key;
    std::int64_t expires_at;
  };
  struct Context;  // one request being handled

  Subnet* select_subnet(const Packet& req, const Arrival& arrival);
  const config::Reservation* find_reservation(const Packet& req, const Subnet& s) const;
  bool rate_limited(const MacAddress& mac, std::int64_t now);

  Decision discover(Context& c);
  Decision request(Context& c);
  Decision inform(Context& c);
  Decision release(Context& c);
  Decision decline(Context& c);

  bool available_to(Ipv4 ip, const Context& c) const;
  std::optional<Ipv4> choose_address(Context& c);
  Packet make_reply(const Context& c, MessageType type) const;
  void add_config_options(Context& c, Packet& reply) const;
  Decision nak(Context& c, std::string why) const;
  Decision silent(Context& c, std::string why) const;
  Decision send(Context& c, Packet reply) const;

  config::DhcpConfig config_;
  const boot::Policy& policy_;
  lease::LeaseStore& store_;
  std::vector<Subnet> subnets_;
  std::map<Ipv4, const config::Reservation*> reserved_addresses_;
  std::map<Ipv4, Offer> offers_;
  std::int64_t last_offer_sweep_ = 0;
  std::map<MacAddress, std::pair<std::int64_t, std::uint32_t>> rate_;  // second, count
};

// "dhcp: 52:54:00:e2:e0:01 arch=0 (BIOS) DISCOVER -> OFFER 198.18.0.100 file=pxelinux.0"
std::string describe(const Exchange& ex);

// Puts the reply's options in the order the client asked for them (option 55), after the ones
// every reply leads with, so that if the message runs out of room the least wanted go first.
void order_options(Options& options, const Bytes* parameter_request_list);

}  // namespace pxed::dhcp

// The DHCP server's logic, without I/O: a decoded request and the current time in, a decision
// out (a reply and where it goes, or a reason to stay silent). It consults the boot policy for
// the boot file and the lease store for addresses; offers in flight are held here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "boot/policy.h"
#include "core/net_types.h"
#include "dhcp/client_info.h"
#include "dhcp/packet.h"
#include "dhcp/reply_route.h"
#include "lease/lease.h"

namespace pxed::dhcp {

struct ResponderConfig {
  Ipv4Network server;  // our address and the subnet it serves
  Ipv4 range_start, range_end;
  std::vector<Ipv4> routers;
  std::vector<Ipv4> dns_servers;
  std::string domain_name;
  std::uint32_t lease_time = 3600;  // seconds
  std::uint32_t offer_hold = 60;    // seconds an offered address stays reserved for the client
};

// What happened, for the log line and the boot timeline.
struct Exchange {
  ClientInfo client;
  MessageType request = MessageType::discover;
  std::optional<MessageType> reply;
  Ipv4 address;
  std::string boot_file;
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
};

class Responder {
 public:
  Responder(ResponderConfig config, const boot::Policy& policy, lease::LeaseStore& store);

  // Handles one request received on the served interface. `now` is unix seconds.
  Decision handle(const Packet& request, std::int64_t now);

  const ResponderConfig& config() const { return config_; }

 private:
  struct Offer {
    std::string client_key;
    std::int64_t expires_at;
  };

  Decision discover(const Packet& req, Exchange ex, const std::string& key, std::int64_t now);
  Decision request(const Packet& req, Exchange ex, const std::string& key, std::int64_t now);
  Decision inform(const Packet& req, Exchange ex);
  Decision release(const Packet& req, Exchange ex, const std::string& key, std::int64_t now);
  Decision decline(const Packet& req, Exchange ex, std::int64_t now);

  bool in_range(Ipv4 ip) const;
  bool available_to(Ipv4 ip, const std::string& key, std::int64_t now);
  std::optional<Ipv4> choose_address(const Packet& req, const std::string& key, std::int64_t now);
  Packet make_reply(const Packet& req, MessageType type) const;
  void add_config_options(const Packet& req, const ClientInfo& client, Packet& reply,
                          Exchange& ex) const;
  Decision nak(const Packet& req, Exchange ex, std::string why) const;
  Decision silent(Exchange ex, std::string why) const;
  Decision send(const Packet& req, Packet reply, Exchange ex) const;

  ResponderConfig config_;
  const boot::Policy& policy_;
  lease::LeaseStore& store_;
  std::map<Ipv4, Offer> offers_;
  std::int64_t last_offer_sweep_ = 0;
};

// "dhcp: 52:54:00:e2:e0:01 arch=0 (BIOS) DISCOVER -> OFFER 198.18.0.100 file=pxelinux.0"
std::string describe(const Exchange& ex);

}  // namespace pxed::dhcp

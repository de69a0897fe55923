// Fuzz target: the DHCP codec and the whole DHCP server logic (Responder) behind it.
//
// For every input that decodes:
//  - round trip: the packet encodes, decodes back to the same fields and options, and encoding
//    is idempotent; at the sizes clients ask for (576, 1472) the result fits and decodes too;
//  - a short life against a fresh Responder (MemoryStore; a served subnet whose pools hold four
//    addresses, so they run out, with two reservations; a relayed, non-authoritative subnet
//    that identifies clients by MAC only): the packet itself, the same packet from five other
//    clients, a retry, and when it earned an OFFER the rest of a client's life (REQUEST,
//    renewal, RELEASE, DISCOVER again, REQUEST, DECLINE, DISCOVER). Every reply must be well
//    formed, carry an address we may hand out, be routed as RFC 2131 §4.1 says, echo option 82,
//    and encode and decode back.
// `now` comes from the xid, so time-dependent paths are reachable and every input replays
// exactly; nothing is kept between inputs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "boot/policy.h"
#include "config/config.h"
#include "config/validate.h"
#include "dhcp/client_info.h"
#include "dhcp/packet.h"
#include "dhcp/responder.h"
#include "fuzz_check.h"
#include "lease/memory_store.h"

namespace pxed::dhcp {
namespace {

constexpr Ipv4 kServer(0xc6120001);   // 198.18.0.1, on veth0
constexpr Ipv4 kNetmask(0xffffff00);  // /24
constexpr std::uint32_t kLeaseTime = 600;
constexpr std::int64_t kEpoch = 1'700'000'000;
constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max() / 2;
const Arrival kArrival{"veth0", kServer};

// 198.18.0.x and 198.18.1.x
constexpr Ipv4 a(std::uint32_t last) {
  return Ipv4(0xc6120000 | last);
}
constexpr Ipv4 b(std::uint32_t last) {
  return Ipv4(0xc6120100 | last);
}
Bytes bytes_of(Ipv4 ip) {
  auto v = ip.bytes();
  return Bytes(v.begin(), v.end());
}

// The seeds in make_seeds.cc know these: the reserved MAC and client-id, the relay's subnet.
const config::Config& fuzz_config() {
  static const config::Config config = [] {
    config::Config c;
    c.interfaces = {"veth0"};
    c.root = "/srv/pxed";
    config::DhcpConfig& d = c.dhcp;
    d.lease_time = kLeaseTime;
    d.offer_hold = 60;
    d.decline_quarantine = 900;
    d.options = {config::OptionValue{6, bytes_of(a(53)), {}}};

    config::Subnet served;  // 198.18.0.0/24 on veth0: pools .100-.103 and .110, .101 excluded
    served.network = Ipv4Network{a(0), kNetmask};
    served.interfaces = {"veth0"};
    served.pools = {{a(100), a(103)}, {a(110), a(110)}};
    served.exclusions = {{a(101), a(101)}};
    served.options = {config::OptionValue{3, bytes_of(a(254)), {}},
                      config::OptionValue{15, Bytes{'l', 'a', 'b'}, {}}};
    config::Reservation by_mac;
    by_mac.mac = MacAddress({0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc});
    by_mac.address = a(50);
    by_mac.hostname = "reserved";
    by_mac.boot_file = "special.efi";
    config::Reservation by_id;
    by_id.client_id = Bytes{0, 'r', 's', 'v'};
    by_id.address = a(51);
    by_id.options = {config::OptionValue{12, Bytes{'i', 'd'}, {}}};
    served.reservations = {by_mac, by_id};

    config::Subnet relayed;  // 198.18.1.0/24 behind a relay: two addresses, short leases
    relayed.network = Ipv4Network{b(0), kNetmask};
    relayed.pools = {{b(100), b(101)}};
    relayed.lease_time = 120;
    relayed.authoritative = false;
    relayed.match_mac_only = true;
    d.subnets = {served, relayed};

    auto errors = config::validate(c);
    for (const auto& e : errors) std::fprintf(stderr, "fuzz config: %s\n", e.to_string().c_str());
    if (!errors.empty()) std::abort();
    return c;
  }();
  return config;
}

const boot::Policy& policy() {
  static const boot::Policy p = [] {
    boot::PolicyConfig pc;
    pc.server = kServer;
    pc.http_port = 8080;
    pc.ipxe_boot_file = "http://198.18.0.1:8080/boot.ipxe";
    pc.boot_files[0] = "pxelinux.0";
    pc.boot_files[7] = "ipxe.efi";
    pc.boot_files[11] = std::string(140, 'a') + ".efi";  // too long for the BOOTP file field
    return boot::Policy(pc);
  }();
  return p;
}

// An address the server may hand out: in a pool and not excluded, or reserved.
bool assignable(Ipv4 ip) {
  return (ip >= a(100) && ip <= a(103) && ip != a(101)) || ip == a(110) || ip == a(50) ||
         ip == a(51) || ip == b(100) || ip == b(101);
}

bool same_header(const Packet& a, const Packet& b) {
  return a.op == b.op && a.htype == b.htype && a.hlen == b.hlen && a.hops == b.hops &&
         a.xid == b.xid && a.secs == b.secs && a.flags == b.flags && a.ciaddr == b.ciaddr &&
         a.yiaddr == b.yiaddr && a.siaddr == b.siaddr && a.giaddr == b.giaddr &&
         a.chaddr == b.chaddr;
}

void check_round_trip(const Packet& p) {
  Bytes wire = encode(p, kUnlimited);
  auto back = decode(wire);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(same_header(p, *back));
  FUZZ_CHECK(back->sname == p.sname.substr(0, 63));  // the fields keep a NUL terminator
  FUZZ_CHECK(back->file == p.file.substr(0, 127));
  FUZZ_CHECK(back->options.entries().size() == p.options.entries().size());
  for (const auto& [code, value] : p.options.entries()) {
    const Bytes* v = back->options.get(code);
    FUZZ_CHECK(v != nullptr && *v == value);
  }
  FUZZ_CHECK(encode(*back, kUnlimited) == wire);
  for (std::size_t max : {kMinMessageSize, std::size_t{1472}}) {
    Bytes fitted = encode(p, max);
    FUZZ_CHECK(fitted.size() >= kBootpMinimumSize && fitted.size() <= max);
    auto again = decode(fitted);
    FUZZ_CHECK(again.has_value() && same_header(p, *again));
  }
}

Packet as(const Packet& p, MessageType type) {
  Packet q = p;
  q.options.set_u8(opt::kMessageType, static_cast<std::uint8_t>(type));
  return q;
}

// PXED_FUZZ_VERBOSE=1 prints every exchange (when reproducing a crash with the replay runner).
bool verbose() {
  static const bool v = std::getenv("PXED_FUZZ_VERBOSE") != nullptr;
  return v;
}

// Everything a reply must be, whatever the request was.
void check_decision(const Packet& req, const Decision& d) {
  std::string line = describe(d.exchange);
  FUZZ_CHECK(!line.empty());
  if (verbose()) std::fprintf(stderr, "  %s\n", line.c_str());
  if (!d.reply) {
    FUZZ_CHECK(!d.exchange.reply.has_value());
    return;
  }
  const Reply& r = *d.reply;
  const Packet& out = r.packet;
  const auto type = out.message_type();
  const auto asked = req.message_type();
  FUZZ_CHECK(type.has_value() && asked.has_value());
  FUZZ_CHECK(d.exchange.reply == type);
  FUZZ_CHECK(out.op == kBootReply && out.xid == req.xid && out.chaddr == req.chaddr &&
             out.htype == req.htype && out.hlen == req.hlen && out.giaddr == req.giaddr);
  FUZZ_CHECK(out.options.ip(opt::kServerId) == kServer);
  FUZZ_CHECK(r.max_size >= kMinMessageSize && r.max_size <= 1472);
  switch (*type) {
    case MessageType::offer:
      FUZZ_CHECK(*asked == MessageType::discover && assignable(out.yiaddr));
      FUZZ_CHECK(out.options.u32(opt::kLeaseTime).has_value());
      break;
    case MessageType::ack:
      if (*asked == MessageType::inform) {  // RFC 2131 §3.4: no address, no lease time
        FUZZ_CHECK(out.yiaddr.is_zero() && !out.options.has(opt::kLeaseTime));
      } else {
        FUZZ_CHECK(*asked == MessageType::request && assignable(out.yiaddr));
        FUZZ_CHECK(out.options.u32(opt::kLeaseTime).has_value());
      }
      break;
    case MessageType::nak:
      FUZZ_CHECK(*asked == MessageType::request);
      FUZZ_CHECK(out.yiaddr.is_zero() && !out.options.has(opt::kLeaseTime));
      break;
    default:
      FUZZ_FAIL("a reply that is not OFFER, ACK or NAK");
  }

  // RFC 3046: relay agent information goes back unchanged.
  if (const Bytes* rai = req.options.get(opt::kRelayAgentInfo)) {
    const Bytes* echoed = out.options.get(opt::kRelayAgentInfo);
    FUZZ_CHECK(echoed != nullptr && *echoed == *rai);
  }

  // RFC 2131 §4.1, sentence by sentence.
  using Kind = Destination::Kind;
  const Destination& to = r.destination;
  if (!req.giaddr.is_zero()) {
    FUZZ_CHECK(to.kind == Kind::relay && to.ip == req.giaddr && to.port == 67);
  } else if (*type == MessageType::nak) {
    FUZZ_CHECK(to.kind == Kind::broadcast && to.ip == Ipv4::broadcast() && to.port == 68);
  } else if (!req.ciaddr.is_zero()) {
    FUZZ_CHECK(to.kind == Kind::unicast && to.ip == req.ciaddr && to.port == 68);
  } else if (req.broadcast() || out.yiaddr.is_zero()) {
    FUZZ_CHECK(to.kind == Kind::broadcast && to.ip == Ipv4::broadcast() && to.port == 68);
  } else {
    FUZZ_CHECK(to.kind == Kind::hardware_unicast && to.ip == out.yiaddr && to.port == 68);
  }

  // What goes on the wire fits the client and reads back.
  Bytes wire = encode(out, r.max_size);
  FUZZ_CHECK(wire.size() <= r.max_size);
  auto back = decode(wire);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(same_header(out, *back));
  FUZZ_CHECK(back->message_type() == type && back->options.ip(opt::kServerId) == kServer);
}

void exercise_responder(const Packet& p) {
  lease::MemoryStore store;
  Responder responder(fuzz_config().dhcp, policy(), store);
  const std::int64_t now = kEpoch + p.xid;
  auto run = [&](const Packet& req, std::int64_t t) {
    Decision d = responder.handle(req, kArrival, t);
    check_decision(req, d);
    return d;
  };
  auto offered_address = [](const Decision& d, MessageType type) -> std::optional<Ipv4> {
    if (!d.reply || d.reply->packet.message_type() != type) return std::nullopt;
    return d.reply->packet.yiaddr;
  };

  Decision first = run(p, now);
  // Five other clients send the same thing: the range runs out, offers and leases collide.
  for (std::uint8_t i = 1; i <= 5; ++i) {
    Packet other = p;
    other.chaddr[5] = static_cast<std::uint8_t>(other.chaddr[5] ^ i);
    other.options.erase(opt::kClientId);
    run(other, now + i);
  }
  Decision retry = run(p, now + 6);

  auto offered = offered_address(first, MessageType::offer);
  if (!offered) {
    run(p, now + 2 * kLeaseTime);  // every offer and lease has run out
    return;
  }
  // A retried DISCOVER gets the offer it already has.
  FUZZ_CHECK(offered_address(retry, MessageType::offer) == offered);

  // SELECTING: it takes the offer.
  Packet select = as(p, MessageType::request);
  select.options.set_ip(opt::kRequestedAddress, *offered);
  select.options.set_ip(opt::kServerId, kServer);
  FUZZ_CHECK(offered_address(run(select, now + 7), MessageType::ack) == offered);

  // RENEWING: unicast with ciaddr, no 50 or 54.
  Packet renew = as(p, MessageType::request);
  renew.options.erase(opt::kRequestedAddress);
  renew.options.erase(opt::kServerId);
  renew.ciaddr = *offered;
  FUZZ_CHECK(offered_address(run(renew, now + kLeaseTime / 2), MessageType::ack) == offered);

  // RELEASE: never answered.
  Packet release = as(p, MessageType::release);
  release.options.erase(opt::kRequestedAddress);
  release.options.set_ip(opt::kServerId, kServer);
  release.ciaddr = *offered;
  FUZZ_CHECK(!run(release, now + kLeaseTime / 2 + 1).reply);

  // Back later, once the other clients' offers lapsed: the same address again.
  FUZZ_CHECK(offered_address(run(p, now + kLeaseTime), MessageType::offer) == offered);
  FUZZ_CHECK(offered_address(run(select, now + kLeaseTime + 1), MessageType::ack) == offered);

  // DECLINE: the address is in use by someone else; never offered again while quarantined.
  Packet decline = as(p, MessageType::decline);
  decline.options.set_ip(opt::kRequestedAddress, *offered);
  decline.options.set_ip(opt::kServerId, kServer);
  decline.ciaddr = Ipv4();
  FUZZ_CHECK(!run(decline, now + kLeaseTime + 2).reply);
  Decision after = run(p, now + kLeaseTime + 3);
  FUZZ_CHECK(offered_address(after, MessageType::offer) != offered);
  FUZZ_CHECK(offered_address(after, MessageType::ack) != offered);

  // Much later: the quarantine and every lease are over.
  run(p, now + 4 * std::int64_t{kLeaseTime});
}

}  // namespace
}  // namespace pxed::dhcp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pxed;
  auto packet = dhcp::decode(ByteView(data, size));
  if (!packet) {
    FUZZ_CHECK(!packet.error().message.empty());
    return 0;
  }
  // What the server logs about every packet it reads.
  (void)dhcp::classify(*packet);
  FUZZ_CHECK(!dhcp::client_key(*packet).empty());

  dhcp::check_round_trip(*packet);
  dhcp::exercise_responder(*packet);
  return 0;
}

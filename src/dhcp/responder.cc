#include "dhcp/responder.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "boot/arch_table.h"
#include "config/validate.h"

namespace pxed::dhcp {

struct Responder::Context {
  const Packet& req;
  const Arrival& arrival;
  std::int64_t now;
  Exchange ex;
  Subnet* subnet = nullptr;
  const config::Reservation* reservation = nullptr;
  std::string key;
};

namespace {

// RFC 3527 link selection: relay agent information (82) sub-option 5.
std::optional<Ipv4> link_selection(const Packet& req) {
  const Bytes* rai = req.options.get(opt::kRelayAgentInfo);
  if (!rai) return std::nullopt;
  ByteReader r(*rai);
  while (!r.at_end()) {
    std::uint8_t code = r.u8();
    std::uint8_t len = r.u8();
    ByteView v = r.take(len);
    if (!r.ok()) return std::nullopt;
    if (code == 5 && len == 4) return Ipv4::from(v);
  }
  return std::nullopt;
}

// Rows that keep an address away from every client for a while, rather than leases.
constexpr std::string_view kDeclinedKey = "declined";
constexpr std::string_view kConflictKey = "conflict";
bool quarantined(const lease::Lease& l) {
  return l.client_key == kDeclinedKey || l.client_key == kConflictKey;
}

std::set<Ipv4> reserved_in(const config::Subnet& s) {
  std::set<Ipv4> out;
  for (const auto& r : s.reservations) {
    if (r.address) out.insert(*r.address);
  }
  return out;
}

}  // namespace

Responder::Responder(const config::DhcpConfig& config, const boot::Policy& policy,
                     lease::LeaseStore& store)
    : config_(config), policy_(policy), store_(store) {
  subnets_.reserve(config_.subnets.size());
  for (const config::Subnet& s : config_.subnets) {
    config::LeaseTimes t = config::lease_times(config_, s);
    subnets_.push_back(Subnet{&s, Allocator(s.pools, s.exclusions, reserved_in(s)), t.lease,
                              t.renew, t.rebind, s.authoritative.value_or(config_.authoritative)});
    for (const auto& r : s.reservations) {
      if (r.address) reserved_addresses_[*r.address] = &r;
    }
  }
}

Decision Responder::handle(const Packet& req, const Arrival& arrival, std::int64_t now) {
  Context c{req, arrival, now, {}, nullptr, nullptr, {}};
  c.ex.client = classify(req);
  c.ex.relay = req.giaddr;
  auto type = req.message_type();
  if (req.op != kBootRequest) return silent(c, "not a BOOTREQUEST");
  if (!type) return silent(c, "no DHCP message type");
  c.ex.request = *type;
  if (req.htype != 1 || req.hlen != 6) {
    return silent(c,
                  fmt::format("hardware type {} length {} is not Ethernet", req.htype, req.hlen));
  }
  if (rate_limited(c.ex.client.mac, now)) {
    return silent(
        c, fmt::format("over {} requests per second from this MAC", config_.rate_limit_per_mac));
  }
  // Offers that were never taken up go back to the pool; sweep at most once a second.
  if (now != last_offer_sweep_) {
    std::erase_if(offers_, [&](const auto& o) { return o.second.expires_at <= now; });
    last_offer_sweep_ = now;
  }
  c.subnet = select_subnet(req, arrival);
  if (!c.subnet) {
    Ipv4 link = req.giaddr.is_zero() ? arrival.local_address : req.giaddr;
    return silent(c, fmt::format("no subnet configured for {} (interface {})", link.to_string(),
                                 arrival.interface));
  }
  c.reservation = find_reservation(req, *c.subnet);
  c.key = c.subnet->cfg->match_mac_only ? "hw:" + c.ex.client.mac.to_string() : client_key(req);
  switch (*type) {
    case MessageType::discover:
      return discover(c);
    case MessageType::request:
      return request(c);
    case MessageType::inform:
      return inform(c);
    case MessageType::release:
      return release(c);
    case MessageType::decline:
      return decline(c);
    default:
      return silent(c, "a server message type sent to a server");
  }
}

bool Responder::rate_limited(const MacAddress& mac, std::int64_t now) {
  if (config_.rate_limit_per_mac == 0) return false;
  if (rate_.size() > 100000) {
    std::erase_if(rate_, [&](const auto& e) { return e.second.first != now; });
  }
  auto& [second, count] = rate_[mac];
  if (second != now) {
    second = now;
    count = 0;
  }
  return ++count > config_.rate_limit_per_mac;
}

Responder::Subnet* Responder::select_subnet(const Packet& req, const Arrival& arrival) {
  auto containing = [&](Ipv4 ip) -> Subnet* {
    for (Subnet& s : subnets_) {
      if (s.cfg->network.contains(ip)) return &s;
    }
    return nullptr;
  };
  if (!req.giaddr.is_zero()) return containing(link_selection(req).value_or(req.giaddr));
  auto type = req.message_type();
  // A client that already has an address (renewing, releasing, asking for options) talks to us
  // directly, even when it lives behind a relay: its address names its subnet. A DECLINE names
  // the address in option 50. Anything else belongs to the link it arrived on.
  std::optional<Ipv4> own;
  bool renewing = type == MessageType::request && !req.options.has(opt::kServerId) &&
                  !req.options.has(opt::kRequestedAddress);
  if (renewing || type == MessageType::release || type == MessageType::inform) {
    if (!req.ciaddr.is_zero()) own = req.ciaddr;
  } else if (type == MessageType::decline) {
    own = req.options.ip(opt::kRequestedAddress);
  }
  if (own) {
    if (Subnet* s = containing(*own)) return s;
  }
  Subnet* first_on_interface = nullptr;
  for (Subnet& s : subnets_) {
    const auto& ifs = s.cfg->interfaces;
    if (std::find(ifs.begin(), ifs.end(), arrival.interface) == ifs.end()) continue;
    if (!first_on_interface) first_on_interface = &s;
    if (s.cfg->network.contains(arrival.local_address)) return &s;
  }
  return first_on_interface;
}

const config::Reservation* Responder::find_reservation(const Packet& req, const Subnet& s) const {
  const Bytes* id = req.options.get(opt::kClientId);
  MacAddress mac = req.mac();
  for (const auto& r : s.cfg->reservations) {
    if (r.client_id && id && *r.client_id == *id) return &r;
    if (r.mac && *r.mac == mac) return &r;
  }
  return nullptr;
}

bool Responder::available_to(Ipv4 ip, const Context& c) const {
  const config::Subnet& s = *c.subnet->cfg;
  if (!s.network.contains(ip) || ip == s.network.network() || ip == s.network.broadcast() ||
      ip == c.arrival.local_address) {
    return false;
  }
  if (auto r = reserved_addresses_.find(ip); r != reserved_addresses_.end()) {
    if (r->second != c.reservation) return false;
  } else if (!c.subnet->allocator.dynamic(ip)) {
    return false;
  }
  if (auto o = offers_.find(ip); o != offers_.end() && o->second.client_key != c.key) return false;
  auto lease = store_.by_address(ip);
  return !lease || lease->client_key == c.key || !lease->active(c.now);
}

std::optional<Ipv4> Responder::choose_address(Context& c) {
  // 1. A reserved address.
  if (c.reservation && c.reservation->address) {
    if (available_to(*c.reservation->address, c)) return c.reservation->address;
  }
  // 2. The address this client had before, if nobody took it meanwhile.
  if (auto previous = store_.by_client(c.key); previous && available_to(previous->address, c)) {
    return previous->address;
  }
  // 3. The address we are already offering it (a DISCOVER retried).
  for (const auto& [ip, offer] : offers_) {
    if (offer.client_key == c.key && available_to(ip, c)) return ip;
  }
  // 4. The address it asks for.
  if (auto wanted = c.req.options.ip(opt::kRequestedAddress); wanted && available_to(*wanted, c)) {
    return *wanted;
  }
  // 5. The next free one in the pools.
  return c.subnet->allocator.next_free([&](Ipv4 ip) { return available_to(ip, c); });
}

Decision Responder::discover(Context& c) {
  auto ip = choose_address(c);
  if (!ip) {
    return silent(c, fmt::format("no free address left in {}'s pools ({} addresses)",
                                 c.subnet->cfg->network.network().to_string(),
                                 c.subnet->allocator.capacity()));
  }
  std::erase_if(offers_, [&](const auto& o) { return o.second.client_key == c.key; });
  offers_[*ip] = Offer{c.key, c.now + config_.offer_hold};
  Packet reply = make_reply(c, MessageType::offer);
  reply.yiaddr = *ip;
  c.ex.address = *ip;
  add_config_options(c, reply);
  Decision d = send(c, std::move(reply));
  // Probe only where ARP reaches: a client on our own link, for an address it does not hold yet.
  bool on_link = c.req.giaddr.is_zero() && c.subnet->cfg->network.contains(c.arrival.local_address);
  if (config_.conflict_detection && on_link) {
    auto lease = store_.by_address(*ip);
    if (!lease || lease->client_key != c.key || !lease->active(c.now)) d.probe = *ip;
  }
  return d;
}

std::string Responder::conflict(Ipv4 address, const MacAddress& owner, const MacAddress& client,
                                std::int64_t now, bool ack_withheld) {
  auto lease = store_.by_address(address);
  if (!ack_withheld && lease && lease->active(now) && !quarantined(*lease)) {
    // The REQUEST beat the ARP answer: the lease stands, and the client's own check (RFC 2131
    // §4.4.1) should make it DECLINE the address.
    return fmt::format("{} is in use by {}, but is already leased to {}", address.to_string(),
                       owner.to_string(), lease->mac.to_string());
  }
  if (auto o = offers_.find(address); o != offers_.end()) offers_.erase(o);
  lease::Lease q{address, std::string(kConflictKey), owner, "", now + config_.decline_quarantine};
  if (auto stored = store_.put(q); !stored) {
    return fmt::format("{} is in use by {}; could not record the conflict: {}",
                       address.to_string(), owner.to_string(), stored.error().message);
  }
  return fmt::format("{} is in use by {} (offered to {}); quarantined for {} s",
                     address.to_string(), owner.to_string(), client.to_string(),
                     config_.decline_quarantine);
}

std::size_t Responder::reclaim(std::int64_t now) {
  std::size_t removed = 0;
  for (const lease::Lease& l : store_.all()) {
    std::int64_t keep_until =
        quarantined(l) ? l.expires_at : l.expires_at + config_.expired_lease_retention;
    if (keep_until > now) continue;
    if (store_.remove(l.address)) ++removed;
  }
  return removed;
}

Decision Responder::request(Context& c) {
  const Packet& req = c.req;
  auto server_id = req.options.ip(opt::kServerId);
  auto requested = req.options.ip(opt::kRequestedAddress);
  Ipv4 ip;
  if (server_id) {  // SELECTING: answering an OFFER
    if (*server_id != c.arrival.local_address) {
      std::erase_if(offers_, [&](const auto& o) { return o.second.client_key == c.key; });
      return silent(c, fmt::format("client chose server {}", server_id->to_string()));
    }
    ip = requested.value_or(req.ciaddr);
  } else if (requested) {  // INIT-REBOOT: verifying a remembered address
    ip = *requested;
  } else if (!req.ciaddr.is_zero()) {  // RENEWING or REBINDING
    ip = req.ciaddr;
  } else {
    return silent(c, "REQUEST names no address");
  }
  c.ex.address = ip;
  if (!c.subnet->cfg->network.contains(ip)) {
    return nak(c, fmt::format("{} is not on this network", ip.to_string()));
  }
  if (!available_to(ip, c)) {
    auto lease = store_.by_address(ip);
    bool taken = lease && lease->client_key != c.key && lease->active(c.now);
    if (taken && quarantined(*lease)) {
      return nak(c, fmt::format("{} is in use by another host ({})", ip.to_string(),
                                lease->client_key));
    }
    return nak(c, taken
                      ? fmt::format("{} belongs to another client", ip.to_string())
                      : fmt::format("{} is not an address we give to this client", ip.to_string()));
  }
  lease::Lease lease{ip, c.key, c.ex.client.mac, c.ex.client.hostname,
                     c.now + c.subnet->lease_time};
  if (auto stored = store_.put(lease); !stored) {
    // Never acknowledge a lease we could not record: the client will retry.
    return silent(c, "lease not recorded: " + stored.error().message);
  }
  offers_.erase(ip);
  Packet reply = make_reply(c, MessageType::ack);
  reply.yiaddr = ip;
  add_config_options(c, reply);
  Decision d = send(c, std::move(reply));
  d.durable_ticket = store_.last_write_ticket();
  return d;
}

Decision Responder::inform(Context& c) {
  // RFC 2131 §3.4: configuration only; no lease, no lease time, no yiaddr.
  Packet reply = make_reply(c, MessageType::ack);
  c.ex.address = c.req.ciaddr;
  add_config_options(c, reply);
  reply.options.erase(opt::kLeaseTime);
  reply.options.erase(opt::kRenewalTime);
  reply.options.erase(opt::kRebindingTime);
  return send(c, std::move(reply));
}

Decision Responder::release(Context& c) {
  c.ex.address = c.req.ciaddr;
  auto lease = store_.by_address(c.req.ciaddr);
  if (!lease || lease->client_key != c.key)
    return silent(c, "released an address it does not hold");
  // Keep the row, expired, so the client gets the same address back next time.
  lease->expires_at = c.now;
  if (auto stored = store_.put(*lease); !stored) return silent(c, stored.error().message);
  return silent(c, "lease released");
}

Decision Responder::decline(Context& c) {
  auto ip = c.req.options.ip(opt::kRequestedAddress);
  if (!ip || !c.subnet->cfg->network.contains(*ip))
    return silent(c, "declined an address that is not ours");
  c.ex.address = *ip;
  auto lease = store_.by_address(*ip);
  if (lease && lease->client_key != c.key && lease->active(c.now)) {
    return silent(c, "declined an address another client holds");
  }
  // Somebody else uses the address: keep everybody off it for a while.
  lease::Lease quarantine{*ip, std::string(kDeclinedKey), c.ex.client.mac, "", c.now + config_.decline_quarantine};
  if (auto stored = store_.put(quarantine); !stored) return silent(c, stored.error().message);
  return silent(c, fmt::format("address declined by the client, quarantined for {} s",
                               config_.decline_quarantine));
}

Packet Responder::make_reply(const Context& c, MessageType type) const {
  return reply_to(c.req, type, c.arrival.local_address);
}

void Responder::add_config_options(Context& c, Packet& reply) const {
  const Subnet& s = *c.subnet;
  Options& o = reply.options;
  o.set_u32(opt::kLeaseTime, s.lease_time);
  o.set_u32(opt::kRenewalTime, s.renew_time);
  o.set_u32(opt::kRebindingTime, s.rebind_time);
  o.set_ip(opt::kSubnetMask, s.cfg->network.netmask);
  o.set_ip(opt::kBroadcastAddress, s.cfg->network.broadcast());
  // Configured options, the most specific last so it wins: global, subnet, reservation.
  auto apply = [&](const std::vector<config::OptionValue>& values) {
    for (const auto& v : values) o.set(v.code, v.data);
  };
  apply(config_.options);
  apply(s.cfg->options);
  if (c.reservation) {
    apply(c.reservation->options);
    if (!c.reservation->hostname.empty() && !o.has(opt::kHostName)) {
      o.set_string(opt::kHostName, c.reservation->hostname);
    }
  }

  const ClientInfo& client = c.ex.client;
  boot::BootRequest boot_req = boot_request(client, c.arrival.local_address, c.now);
  if (c.reservation) {
    boot_req.host_boot_file = c.reservation->boot_file;
    if (!c.reservation->hostname.empty()) boot_req.hostname = c.reservation->hostname;
  }
  auto boot = policy_.decide(boot_req);
  const Bytes* prl = c.req.options.get(opt::kParameterRequestList);
  if (boot) {
    c.ex.boot_file = boot->file;
    c.ex.profile = boot->profile;
    auto asked = [&](std::uint8_t code) {
      return prl && std::find(prl->begin(), prl->end(), code) != prl->end();
    };
    bool netboot = client.firmware != FirmwareClass::other;
    // siaddr is the next server; the BOOTP file field carries the boot file for clients that do
    // not ask for option 67 (busybox udhcpc, ISC dhclient expose it as the boot file).
    reply.siaddr = c.arrival.local_address;
    if (boot->file.size() < 128) reply.file = boot->file;
    if (netboot || asked(opt::kTftpServerName)) {
      o.set_string(opt::kTftpServerName, c.arrival.local_address.to_string());
    }
    if (netboot || asked(opt::kBootFileName)) o.set_string(opt::kBootFileName, boot->file);
    // UEFI HTTP Boot ignores an offer that does not say HTTPClient.
    if (client.firmware == FirmwareClass::http) o.set_string(opt::kVendorClass, "HTTPClient");
    // iPXE: "no-pxedhcp" (175.176 = 1), so it does not wait ~3 s for a ProxyDHCP offer.
    if (client.ipxe) o.set(opt::kIpxeEncap, Bytes{176, 1, 1});
  } else {
    c.ex.note = fmt::format("no boot file for {}", boot::arch_description(client.arch));
  }
  order_options(o, prl);
  // RFC 3046: relay agent information goes back exactly as it came, last.
  if (const Bytes* rai = c.req.options.get(opt::kRelayAgentInfo)) o.set(opt::kRelayAgentInfo, *rai);
}

Decision Responder::nak(Context& c, std::string why) const {
  if (!c.subnet->authoritative) return silent(c, why + "; not authoritative, so no NAK");
  Packet reply = make_reply(c, MessageType::nak);
  const Packet& req = c.req;
  reply.flags =
      req.giaddr.is_zero() ? req.flags : static_cast<std::uint16_t>(req.flags | kBroadcastFlag);
  reply.options.set_string(opt::kMessage, why);
  if (const Bytes* rai = req.options.get(opt::kRelayAgentInfo))
    reply.options.set(opt::kRelayAgentInfo, *rai);
  c.ex.note = std::move(why);
  return send(c, std::move(reply));
}

Decision Responder::silent(Context& c, std::string why) const {
  c.ex.note = std::move(why);
  return Decision{std::nullopt, std::move(c.ex), 0, std::nullopt};
}

Decision Responder::send(Context& c, Packet reply) const {
  c.ex.reply = reply.message_type();
  Reply r;
  r.destination = route_reply(c.req, reply);
  r.max_size = reply_size_limit(c.req);
  r.packet = std::move(reply);
  return Decision{std::move(r), std::move(c.ex), 0, std::nullopt};
}

void order_options(Options& options, const Bytes* prl) {
  static constexpr std::uint8_t kLeading[] = {opt::kMessageType, opt::kServerId, opt::kLeaseTime,
                                              opt::kRenewalTime, opt::kRebindingTime};
  auto rank = [&](std::uint8_t code) -> std::size_t {
    for (std::size_t i = 0; i < std::size(kLeading); ++i) {
      if (kLeading[i] == code) return i;
    }
    if (prl) {
      auto it = std::find(prl->begin(), prl->end(), code);
      if (it != prl->end())
        return std::size(kLeading) + static_cast<std::size_t>(it - prl->begin());
    }
    return 1000;  // not asked for: after everything asked for, in the order set
  };
  std::vector<std::pair<std::uint8_t, Bytes>> entries = options.entries();
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  Options sorted;
  for (auto& [code, value] : entries) sorted.set(code, std::move(value));
  options = std::move(sorted);
}

std::string describe(const Exchange& ex) {
  std::string who = fmt::format("dhcp: {} ", ex.client.mac.to_string());
  if (ex.client.arch) {
    who += fmt::format("arch={} ({}{}) ", *ex.client.arch, boot::arch_description(ex.client.arch),
                       ex.client.ipxe ? ", iPXE" : "");
  } else if (ex.client.ipxe) {
    who += "(iPXE) ";
  }
  who += to_string(ex.request);
  if (!ex.relay.is_zero()) who += " via " + ex.relay.to_string();
  if (!ex.reply) {
    std::string_view addr_note = ex.address.is_zero() ? "" : " for ";
    return fmt::format("{}{}{} -> no reply: {}", who, addr_note,
                       ex.address.is_zero() ? "" : ex.address.to_string(), ex.note);
  }
  std::string line = fmt::format("{} -> {}", who, to_string(*ex.reply));
  if (!ex.address.is_zero()) line += " " + ex.address.to_string();
  if (!ex.boot_file.empty() && *ex.reply != MessageType::nak) {
    line += " file=" + ex.boot_file;
    if (!ex.profile.empty()) line += " profile=" + ex.profile;
  }
  if (!ex.note.empty()) line += " (" + ex.note + ")";
  return line;
}

}  // namespace pxed::dhcp

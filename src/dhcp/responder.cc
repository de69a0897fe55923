#include "dhcp/responder.h"

#include <algorithm>

#include <fmt/format.h>

#include "boot/arch_table.h"

namespace pxed::dhcp {

Responder::Responder(ResponderConfig config, const boot::Policy& policy, lease::LeaseStore& store)
    : config_(std::move(config)), policy_(policy), store_(store) {}

Decision Responder::handle(const Packet& req, std::int64_t now) {
  Exchange ex;
  ex.client = classify(req);
  auto type = req.message_type();
  if (req.op != kBootRequest) return silent(std::move(ex), "not a BOOTREQUEST");
  if (!type) return silent(std::move(ex), "no DHCP message type");
  ex.request = *type;
  if (req.htype != 1 || req.hlen != 6) {
    return silent(std::move(ex), fmt::format("hardware type {} length {} is not Ethernet", req.htype, req.hlen));
  }
  // Offers that were never taken up go back to the pool; sweep at most once a second.
  if (now != last_offer_sweep_) {
    std::erase_if(offers_, [&](const auto& o) { return o.second.expires_at <= now; });
    last_offer_sweep_ = now;
  }
  std::string key = client_key(req);
  switch (*type) {
    case MessageType::discover: return discover(req, std::move(ex), key, now);
    case MessageType::request: return request(req, std::move(ex), key, now);
    case MessageType::inform: return inform(req, std::move(ex));
    case MessageType::release: return release(req, std::move(ex), key, now);
    case MessageType::decline: return decline(req, std::move(ex), now);
    default: return silent(std::move(ex), "a server message type sent to a server");
  }
}

bool Responder::in_range(Ipv4 ip) const {
  return ip >= config_.range_start && ip <= config_.range_end;
}

bool Responder::available_to(Ipv4 ip, const std::string& key, std::int64_t now) {
  if (!in_range(ip) || ip == config_.server.address) return false;
  if (auto o = offers_.find(ip); o != offers_.end() && o->second.client_key != key) return false;
  auto lease = store_.by_address(ip);
  return !lease || lease->client_key == key || !lease->active(now);
}

std::optional<Ipv4> Responder::choose_address(const Packet& req, const std::string& key,
                                              std::int64_t now) {
  // 1. The address this client had before, if nobody took it meanwhile.
  if (auto previous = store_.by_client(key); previous && available_to(previous->address, key, now)) {
    return previous->address;
  }
  // 2. The address we are already offering it (a DISCOVER retried).
  for (const auto& [ip, offer] : offers_) {
    if (offer.client_key == key) return ip;
  }
  // 3. The address it asks for.
  if (auto wanted = req.options.ip(opt::kRequestedAddress); wanted && available_to(*wanted, key, now)) {
    return *wanted;
  }
  // 4. The first free one. Linear in the range size; the pool allocator comes with the config file.
  for (std::uint64_t v = config_.range_start.value(); v <= config_.range_end.value(); ++v) {
    Ipv4 ip(static_cast<std::uint32_t>(v));
    if (available_to(ip, key, now)) return ip;
  }
  return std::nullopt;
}

Decision Responder::discover(const Packet& req, Exchange ex, const std::string& key, std::int64_t now) {
  auto ip = choose_address(req, key, now);
  if (!ip) return silent(std::move(ex), "no free address left in the range");
  std::erase_if(offers_, [&](const auto& o) { return o.second.client_key == key; });
  offers_[*ip] = Offer{key, now + config_.offer_hold};
  Packet reply = make_reply(req, MessageType::offer);
  reply.yiaddr = *ip;
  ex.address = *ip;
  add_config_options(req, ex.client, reply, ex);
  return send(req, std::move(reply), std::move(ex));
}

Decision Responder::request(const Packet& req, Exchange ex, const std::string& key, std::int64_t now) {
  auto server_id = req.options.ip(opt::kServerId);
  auto requested = req.options.ip(opt::kRequestedAddress);
  Ipv4 ip;
  if (server_id) {  // SELECTING: answering an OFFER
    if (*server_id != config_.server.address) {
      std::erase_if(offers_, [&](const auto& o) { return o.second.client_key == key; });
      return silent(std::move(ex), fmt::format("client chose server {}", server_id->to_string()));
    }
    ip = requested.value_or(req.ciaddr);
  } else if (requested) {  // INIT-REBOOT: verifying a remembered address
    ip = *requested;
    if (!config_.server.contains(ip)) {
      return nak(req, std::move(ex), fmt::format("{} is not on this network", ip.to_string()));
    }
  } else if (!req.ciaddr.is_zero()) {  // RENEWING or REBINDING
    ip = req.ciaddr;
  } else {
    return silent(std::move(ex), "REQUEST names no address");
  }
  ex.address = ip;
  if (!in_range(ip)) {
    return nak(req, std::move(ex), fmt::format("{} is not in the range we give out", ip.to_string()));
  }
  if (!available_to(ip, key, now)) {
    return nak(req, std::move(ex), fmt::format("{} belongs to another client", ip.to_string()));
  }
  lease::Lease lease{ip, key, ex.client.mac, ex.client.hostname, now + config_.lease_time};
  if (auto stored = store_.put(lease); !stored) {
    // Never acknowledge a lease we could not record: the client will retry.
    return silent(std::move(ex), "lease not recorded: " + stored.error().message);
  }
  offers_.erase(ip);
  Packet reply = make_reply(req, MessageType::ack);
  reply.yiaddr = ip;
  add_config_options(req, ex.client, reply, ex);
  return send(req, std::move(reply), std::move(ex));
}

Decision Responder::inform(const Packet& req, Exchange ex) {
  // RFC 2131 §3.4: configuration only; no lease, no lease time, no yiaddr.
  Packet reply = make_reply(req, MessageType::ack);
  ex.address = req.ciaddr;
  add_config_options(req, ex.client, reply, ex);
  reply.options.erase(opt::kLeaseTime);
  reply.options.erase(opt::kRenewalTime);
  reply.options.erase(opt::kRebindingTime);
  return send(req, std::move(reply), std::move(ex));
}

Decision Responder::release(const Packet& req, Exchange ex, const std::string& key, std::int64_t now) {
  ex.address = req.ciaddr;
  auto lease = store_.by_address(req.ciaddr);
  if (!lease || lease->client_key != key) {
    return silent(std::move(ex), "released an address it does not hold");
  }
  // Keep the row, expired, so the client gets the same address back next time.
  lease->expires_at = now;
  if (auto stored = store_.put(*lease); !stored) return silent(std::move(ex), stored.error().message);
  return silent(std::move(ex), "lease released");
}

Decision Responder::decline(const Packet& req, Exchange ex, std::int64_t now) {
  auto ip = req.options.ip(opt::kRequestedAddress);
  if (!ip || !in_range(*ip)) return silent(std::move(ex), "declined an address that is not ours");
  ex.address = *ip;
  // The address is in use by someone else: keep everybody off it for one lease time.
  lease::Lease quarantine{*ip, "declined", ex.client.mac, "", now + config_.lease_time};
  if (auto stored = store_.put(quarantine); !stored) return silent(std::move(ex), stored.error().message);
  return silent(std::move(ex), "address declined by the client, quarantined");
}

Packet Responder::make_reply(const Packet& req, MessageType type) const {
  Packet r;
  r.op = kBootReply;
  r.htype = req.htype;
  r.hlen = req.hlen;
  r.xid = req.xid;
  r.flags = req.flags;
  r.giaddr = req.giaddr;
  r.chaddr = req.chaddr;
  if (type == MessageType::ack) r.ciaddr = req.ciaddr;
  r.options.set_u8(opt::kMessageType, static_cast<std::uint8_t>(type));
  r.options.set_ip(opt::kServerId, config_.server.address);
  return r;
}

void Responder::add_config_options(const Packet& req, const ClientInfo& client, Packet& reply,
                                   Exchange& ex) const {
  Options& o = reply.options;
  o.set_u32(opt::kLeaseTime, config_.lease_time);
  o.set_u32(opt::kRenewalTime, config_.lease_time / 2);
  o.set_u32(opt::kRebindingTime, static_cast<std::uint32_t>(std::uint64_t{config_.lease_time} * 7 / 8));
  o.set_ip(opt::kSubnetMask, config_.server.netmask);
  if (!config_.routers.empty()) o.set_ips(opt::kRouter, config_.routers);
  if (!config_.dns_servers.empty()) o.set_ips(opt::kDnsServers, config_.dns_servers);
  if (!config_.domain_name.empty()) o.set_string(opt::kDomainName, config_.domain_name);
  o.set_ip(opt::kBroadcastAddress, config_.server.broadcast());

  boot::BootRequest boot_req{client.mac, client.arch, client.ipxe,
                             client.firmware == FirmwareClass::http};
  auto boot = policy_.decide(boot_req);
  if (!boot) {
    ex.note = fmt::format("no boot file for {}", boot::arch_description(client.arch));
    return;
  }
  ex.boot_file = boot->file;
  const Bytes* prl = req.options.get(opt::kParameterRequestList);
  auto asked = [&](std::uint8_t code) {
    return prl && std::find(prl->begin(), prl->end(), code) != prl->end();
  };
  bool netboot = client.firmware != FirmwareClass::other;
  // siaddr is the next server; the BOOTP file field carries the boot file for clients that do
  // not ask for option 67 (busybox udhcpc, ISC dhclient expose it as the boot file).
  reply.siaddr = config_.server.address;
  if (boot->file.size() < 128) reply.file = boot->file;
  if (netboot || asked(opt::kTftpServerName)) {
    o.set_string(opt::kTftpServerName, config_.server.address.to_string());
  }
  if (netboot || asked(opt::kBootFileName)) o.set_string(opt::kBootFileName, boot->file);
  // UEFI HTTP Boot ignores an offer that does not say HTTPClient.
  if (client.firmware == FirmwareClass::http) o.set_string(opt::kVendorClass, "HTTPClient");
  // iPXE: "no-pxedhcp" (175.176 = 1), so it does not wait ~3 s for a ProxyDHCP offer.
  if (client.ipxe) o.set(opt::kIpxeEncap, Bytes{176, 1, 1});
}

Decision Responder::nak(const Packet& req, Exchange ex, std::string why) const {
  Packet reply = make_reply(req, MessageType::nak);
  reply.flags = req.giaddr.is_zero() ? req.flags : static_cast<std::uint16_t>(req.flags | kBroadcastFlag);
  reply.options.set_string(opt::kMessage, why);
  ex.note = std::move(why);
  return send(req, std::move(reply), std::move(ex));
}

Decision Responder::silent(Exchange ex, std::string why) const {
  ex.note = std::move(why);
  return Decision{std::nullopt, std::move(ex)};
}

Decision Responder::send(const Packet& req, Packet reply, Exchange ex) const {
  ex.reply = reply.message_type();
  Reply r;
  r.destination = route_reply(req, reply);
  // Option 57 may say more than 576; never less, and never more than an Ethernet frame holds.
  r.max_size = std::clamp<std::size_t>(req.options.u16(opt::kMaxMessageSize).value_or(kMinMessageSize),
                                       kMinMessageSize, 1472);
  r.packet = std::move(reply);
  return Decision{std::move(r), std::move(ex)};
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
  if (!ex.reply) {
    std::string_view addr_note = ex.address.is_zero() ? "" : " for ";
    return fmt::format("{}{}{} -> no reply: {}", who, addr_note,
                       ex.address.is_zero() ? "" : ex.address.to_string(), ex.note);
  }
  std::string line = fmt::format("{} -> {}", who, to_string(*ex.reply));
  if (!ex.address.is_zero()) line += " " + ex.address.to_string();
  if (!ex.boot_file.empty() && *ex.reply != MessageType::nak) line += " file=" + ex.boot_file;
  if (!ex.note.empty()) line += " (" + ex.note + ")";
  return line;
}

}  // namespace pxed::dhcp

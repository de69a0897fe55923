#include "dhcp/proxy.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "boot/arch_table.h"
#include "dhcp/client_info.h"

namespace pxed::dhcp {

namespace {

Decision silent(Exchange ex, std::string why) {
  ex.note = std::move(why);
  return Decision{std::nullopt, std::move(ex), 0, std::nullopt};
}

// The boot item (PXE option 43, sub-option 71: type and layer) a boot-server discovery asks for.
std::optional<Bytes> boot_item(const Packet& req) {
  const Bytes* pxe = req.options.get(opt::kVendorSpecific);
  if (!pxe) return std::nullopt;
  ByteReader r(*pxe);
  while (!r.at_end()) {
    std::uint8_t code = r.u8();
    if (code == opt::kPad) continue;
    if (code == opt::kEnd) break;
    std::uint8_t len = r.u8();
    ByteView v = r.take(len);
    if (!r.ok()) return std::nullopt;
    if (code == pxe_opt::kBootItem && len == 4) return Bytes(v.begin(), v.end());
  }
  return std::nullopt;
}

// A BIOS PXE ROM (or iPXE in one): option 93 = 0, or no option 93 at all.
bool bios_client(const ClientInfo& c) {
  return c.arch.value_or(0) == 0;
}

// The reply every answer starts from: no address of ours to give, so yiaddr stays 0.
Packet base_reply(const Packet& req, MessageType type, Ipv4 server, const ClientInfo& client) {
  Packet r = reply_to(req, type, server);
  Options& o = r.options;
  // Firmware ignores a proxy reply without its own vendor class.
  o.set_string(opt::kVendorClass,
               client.firmware == FirmwareClass::http ? "HTTPClient" : "PXEClient");
  // PXE 2.1: the client's machine identifier comes back in the server's replies.
  if (const Bytes* uuid = req.options.get(opt::kClientUuid)) o.set(opt::kClientUuid, *uuid);
  return r;
}

void add_boot_file(Packet& r, Ipv4 server, const std::string& file) {
  r.siaddr = server;
  if (file.size() < 128) r.file = file;
  r.options.set_string(opt::kTftpServerName, server.to_string());
  r.options.set_string(opt::kBootFileName, file);
}

// Where a boot-server ACK goes: back to the address and port the request came from (edk2 sends
// from port 4011 and listens there; iPXE from 68), through the relay if it was relayed.
Destination ack_destination(const Packet& req, const Packet& reply, const Source& from) {
  using Kind = Destination::Kind;
  if (!req.giaddr.is_zero()) return route_reply(req, reply);
  if (!from.ip.is_zero()) return {Kind::unicast, from.ip, from.port};
  if (!req.ciaddr.is_zero()) return {Kind::unicast, req.ciaddr, from.port};
  return {Kind::broadcast, Ipv4::broadcast(), from.port};
}

}  // namespace

Decision ProxyResponder::handle(const Packet& req, const Arrival& arrival, ProxyPort port,
                                const Source& from, std::int64_t now) const {
  Exchange ex;
  ex.client = classify(req);
  ex.relay = req.giaddr;
  if (req.op != kBootRequest) return silent(std::move(ex), "not a BOOTREQUEST");
  auto type = req.message_type();
  if (!type) return silent(std::move(ex), "no DHCP message type");
  ex.request = *type;
  if (req.htype != 1 || req.hlen != 6) {
    return silent(std::move(ex),
                  fmt::format("hardware type {} length {} is not Ethernet", req.htype, req.hlen));
  }
  const ClientInfo& client = ex.client;
  if (client.firmware == FirmwareClass::other) {
    return silent(std::move(ex), client.vendor_class.empty()
                                     ? std::string("proxy: not a PXE client (no vendor class)")
                                     : fmt::format("proxy: not a PXE client (vendor class '{}')",
                                                   client.vendor_class));
  }
  const Ipv4 server = arrival.local_address;
  auto item = boot_item(req);
  bool offer = false;
  if (port == ProxyPort::dhcp) {
    if (*type == MessageType::discover) {
      offer = true;
    } else if (*type == MessageType::request) {
      auto server_id = req.options.ip(opt::kServerId);
      if (server_id && *server_id != server) {
        return silent(std::move(ex),
                      fmt::format("proxy: a REQUEST for server {}", server_id->to_string()));
      }
      if (!server_id && !item) {
        return silent(std::move(ex), "proxy: a REQUEST for the site's DHCP server");
      }
    } else {
      return silent(std::move(ex),
                    fmt::format("proxy: {} is for the site's DHCP server", to_string(*type)));
    }
  } else if (*type != MessageType::request && *type != MessageType::inform) {
    return silent(std::move(ex), fmt::format("proxy: {} on port {} is not answered",
                                             to_string(*type), kPxeBootServerPort));
  }

  auto boot = policy_.decide(boot_request(client, server, now));
  if (!boot) {
    return silent(std::move(ex),
                  fmt::format("proxy: no boot file for {}", boot::arch_description(client.arch)));
  }

  Packet reply = base_reply(req, offer ? MessageType::offer : MessageType::ack, server, client);
  Reply out;
  if (offer) {
    if (client.firmware == FirmwareClass::http || bios_client(client)) {
      add_boot_file(reply, server, boot->file);
      ex.boot_file = boot->file;
      ex.profile = boot->profile;
      ex.note = "proxy: boot information only";
      if (client.firmware == FirmwareClass::pxe) {
        reply.options.set(opt::kVendorSpecific,
                          Bytes{pxe_opt::kDiscoveryControl, 1, pxe_opt::kUseBootFile, opt::kEnd});
      }
    } else {
      // A "BINL" offer: the boot file comes from port 4011 once the client has its address.
      reply.siaddr = server;
      ex.note = fmt::format("proxy: no boot file; the client asks port {} for {}",
                            kPxeBootServerPort, boot->file);
    }
    out.destination = route_reply(req, reply);
  } else {
    add_boot_file(reply, server, boot->file);
    ex.boot_file = boot->file;
    ex.profile = boot->profile;
    if (item) {
      Bytes pxe{pxe_opt::kBootItem, 4};
      pxe.insert(pxe.end(), item->begin(), item->end());
      pxe.push_back(opt::kEnd);
      reply.options.set(opt::kVendorSpecific, std::move(pxe));
    }
    out.destination = ack_destination(req, reply, from);
    ex.note = fmt::format("proxy, port {}, to {}:{}",
                          port == ProxyPort::boot_server ? kPxeBootServerPort : 67,
                          out.destination.ip.to_string(), out.destination.port);
  }
  order_options(reply.options, req.options.get(opt::kParameterRequestList));
  ex.reply = reply.message_type();
  out.max_size = reply_size_limit(req);
  out.packet = std::move(reply);
  return Decision{std::move(out), std::move(ex), 0, std::nullopt};
}

}  // namespace pxed::dhcp

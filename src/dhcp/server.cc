#include "dhcp/server.h"

#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include "core/clock.h"
#include "net/arp_socket.h"

namespace pxed::dhcp {

namespace asio = boost::asio;
using asio::ip::udp;

struct Server::Listener {
  Listener(asio::io_context& io, const net::InterfaceInfo& i, std::uint16_t p, bool bs)
      : interface(i), port(p), boot_server(bs), socket(io), raw(i.index), arp(io) {}
  net::InterfaceInfo interface;
  std::uint16_t port;
  bool boot_server;  // proxy mode's port 4011
  udp::socket socket;
  net::RawSender raw;
  asio::posix::stream_descriptor arp;  // open only with conflict detection
  udp::endpoint peer;
  std::array<std::uint8_t, 4096> buffer{};
};

Server::Server(asio::io_context& io, ServerConfig config, Responder& responder)
    : io_(io), config_(std::move(config)), responder_(&responder), reclaim_timer_(io) {
  open_listeners();
}

Server::Server(asio::io_context& io, ServerConfig config, const ProxyResponder& proxy)
    : io_(io), config_(std::move(config)), proxy_(&proxy), reclaim_timer_(io) {
  config_.conflict_detection = false;  // no addresses of ours to probe
  open_listeners();
}

void Server::open_listeners() {
  for (const net::InterfaceInfo& i : config_.interfaces) {
    open(i, config_.port, false);
    if (proxy_) open(i, config_.boot_server_port, true);
  }
}

void Server::open(const net::InterfaceInfo& i, std::uint16_t port, bool boot_server) {
  auto bind_failed = [&](const std::error_code& ec) {
    throw std::system_error(
        ec, fmt::format("cannot listen on {} {}:{}", boot_server ? "PXE boot server" : "DHCP",
                        i.name, port));
  };
  auto l = std::make_unique<Listener>(io_, i, port, boot_server);
  boost::system::error_code ec;
  l->socket.open(udp::v4(), ec);
  if (ec) bind_failed(ec);
  // Only this interface: DHCP must never answer on a link it was not asked to serve. No
  // SO_REUSEADDR, so a second DHCP server on the port is reported instead of sharing it.
  if (::setsockopt(l->socket.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, i.name.c_str(),
                   static_cast<socklen_t>(i.name.size())) != 0) {
    bind_failed(std::error_code(errno, std::generic_category()));
  }
  l->socket.set_option(asio::socket_base::broadcast(true), ec);
  l->socket.bind(udp::endpoint(udp::v4(), port), ec);
  if (ec) bind_failed(ec);
  // Room for a burst (a rack powering on) while a write batch is being handed over.
  net::enlarge_receive_buffer(l->socket.native_handle(), 4 << 20);
  if (config_.conflict_detection) l->arp.assign(net::open_arp_socket(i.index).release());
  listeners_.push_back(std::move(l));
}

Server::~Server() = default;

void Server::start() {
  for (auto& l : listeners_) {
    receive(*l);
    if (l->arp.is_open()) wait_arp(*l);
  }
  if (!responder_) return;  // proxy mode keeps no leases
  reclaim();
  schedule_reclaim();
}

void Server::reclaim() {
  std::size_t n = responder_->reclaim(unix_now());
  if (n > 0) {
    counters_.reclaimed += n;
    spdlog::info("dhcp: reclaimed {} expired lease(s)", n);
  }
}

void Server::stop() {
  for (auto& l : listeners_) {
    boost::system::error_code ec;
    l->socket.close(ec);
    l->arp.close(ec);
  }
  reclaim_timer_.cancel();
}

void Server::schedule_reclaim() {
  reclaim_timer_.expires_after(config_.reclaim_interval);
  reclaim_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: stopping
    reclaim();
    schedule_reclaim();
  });
}

void Server::queue_or_send(std::uint64_t ticket, Listener& l, Reply reply) {
  if (ticket <= durable_) {
    ++counters_.replies;
    send_reply(l, reply);
    return;
  }
  // An ACK whose lease is not on disk yet: it goes out when the group commit lands. The queue
  // stays in ticket order (an ACK held for a probe may come back after later ones).
  auto at = std::upper_bound(pending_.begin(), pending_.end(), ticket,
                             [](std::uint64_t t, const Pending& p) { return t < p.ticket; });
  pending_.insert(at, Pending{ticket, &l, std::move(reply)});
}

bool Server::hold_for_probe(Listener& l, Decision& d, const Packet& request,
                            const Arrival& arrival) {
  if (!l.arp.is_open() || d.exchange.reply != MessageType::ack) return false;
  Ipv4 address = d.reply->packet.yiaddr;
  if (address.is_zero()) return false;
  auto until = probes_.running(address, l.interface.name, std::chrono::steady_clock::now());
  if (!until) return false;
  // A retransmitted REQUEST replaces the held one; its timer stays.
  auto [it, fresh] = held_.try_emplace(address);
  Held& h = it->second;
  if (fresh) {
    h.id = ++next_held_id_;
    h.timer = std::make_unique<asio::steady_timer>(io_, *until);
    h.timer->async_wait([this, address, id = h.id](const boost::system::error_code& ec) {
      if (!ec) release_held(address, id);
    });
  }
  h.ticket = d.durable_ticket;
  h.listener = &l;
  h.reply = *d.reply;
  d.exchange.note += std::string(d.exchange.note.empty() ? "" : "; ") +
                     "held until the ARP probe of the address ends";
  h.request = request;
  h.arrival = arrival;
  return true;
}

void Server::release_held(Ipv4 address, std::uint64_t id) {
  auto it = held_.find(address);
  if (it == held_.end() || it->second.id != id) return;
  Held h = std::move(it->second);
  held_.erase(it);
  queue_or_send(h.ticket, *h.listener, std::move(h.reply));  // nobody else answered: ACK
}

void Server::probe(Listener& l, const Decision& d) {
  if (!d.probe || !l.arp.is_open()) return;
  if (!probes_.start(*d.probe, l.interface.name, d.exchange.client.mac,
                     std::chrono::steady_clock::now())) {
    return;  // already being probed
  }
  ++counters_.probes;
  if (auto sent = net::send_arp(l.arp.native_handle(), l.interface.index,
                                net::arp_probe(l.interface.mac, *d.probe));
      !sent) {
    spdlog::warn("dhcp: could not send an ARP probe for {} on {}: {}", d.probe->to_string(),
                 l.interface.name, sent.error().message);
  }
}

void Server::wait_arp(Listener& l) {
  l.arp.async_wait(asio::posix::stream_descriptor::wait_read,
                   [this, &l](const boost::system::error_code& ec) {
                     if (ec) return;  // closed: stopping
                     on_arp(l);
                     wait_arp(l);
                   });
}

void Server::on_arp(Listener& l) {
  while (auto p = net::receive_arp(l.arp.native_handle())) {
    auto c = probes_.on_arp(l.interface.name, p->sender_ip, p->sender_mac,
                            std::chrono::steady_clock::now());
    if (!c) continue;
    ++counters_.conflicts;
    auto h = held_.find(c->address);
    bool withheld = h != held_.end();
    spdlog::warn("dhcp: conflict on {}: {}", l.interface.name,
                 responder_->conflict(c->address, c->owner, c->client, unix_now(), withheld));
    if (!withheld) continue;
    // The client asked for the address before the answer came: its ACK is dropped and the
    // same REQUEST, handled again, now gets a NAK, so it starts over with another address.
    Held held = std::move(h->second);
    held_.erase(h);
    held.timer->cancel();
    Decision nak = responder_->handle(held.request, held.arrival, unix_now());
    spdlog::info("{}", describe(nak.exchange));
    if (nak.reply) queue_or_send(nak.durable_ticket, *held.listener, std::move(*nak.reply));
  }
}

void Server::receive(Listener& l) {
  l.socket.async_receive_from(asio::buffer(l.buffer), l.peer,
                              [this, &l](const boost::system::error_code& ec, std::size_t n) {
                                if (ec == asio::error::operation_aborted) return;
                                if (!ec) on_packet(l, n);
                                if (l.socket.is_open()) receive(l);
                              });
}

void Server::on_packet(Listener& l, std::size_t n) {
  ++counters_.received;
  std::string peer = fmt::format("{}:{}", l.peer.address().to_string(), l.peer.port());
  try {
    auto packet = decode(ByteView(l.buffer.data(), n));
    if (!packet) {
      ++counters_.malformed;
      // A client that keeps sending garbage gets one line per interval, not one per packet.
      if (auto held = malformed_log_.allow(l.peer.address().to_string(),
                                           std::chrono::steady_clock::now())) {
        spdlog::warn("dhcp: dropped a malformed packet from {} on {}: {}{}", peer, l.interface.name,
                     packet.error().message,
                     *held ? fmt::format(" ({} more since the last report)", *held) : "");
      }
      return;
    }
    Arrival arrival{l.interface.name, l.interface.ipv4.address};
    Decision d =
        proxy_ ? proxy_->handle(*packet, arrival,
                                l.boot_server ? ProxyPort::boot_server : ProxyPort::dhcp,
                                Source{Ipv4(l.peer.address().to_v4().to_uint()), l.peer.port()},
                                unix_now())
               : responder_->handle(*packet, arrival, unix_now());
    bool held = d.reply && hold_for_probe(l, d, *packet, arrival);
    spdlog::info("{}", describe(d.exchange));
    if (d.reply && !held) {
      queue_or_send(d.durable_ticket, l, std::move(*d.reply));
    } else if (!d.reply) {
      ++counters_.silent;
    }
    probe(l, d);  // after the reply: conflict detection never delays an offer
    if (observer_) observer_(d.exchange);
  } catch (const std::exception& e) {
    // One bad packet never takes the daemon down.
    ++counters_.malformed;
    spdlog::error("dhcp: dropped a packet from {}: internal error: {}", peer, e.what());
  }
}

void Server::on_durable(std::uint64_t ticket, bool ok, std::string error) {
  asio::post(io_,
             [this, ticket, ok, error = std::move(error)] { release_pending(ticket, ok, error); });
}

void Server::release_pending(std::uint64_t ticket, bool ok, const std::string& error) {
  std::size_t withheld = 0;
  while (!pending_.empty() && pending_.front().ticket <= ticket) {
    Pending& p = pending_.front();
    if (ok) {
      ++counters_.replies;
      send_reply(*p.listener, p.reply);
    } else {
      ++withheld;
    }
    pending_.pop_front();
  }
  if (ok) durable_ = std::max(durable_, ticket);
  if (withheld > 0) {
    // Never acknowledge a lease that is not on disk; the clients will ask again.
    spdlog::error("dhcp: {} ACK(s) withheld because their leases could not be stored: {}", withheld,
                  error);
  }
}

void Server::send_reply(Listener& l, const Reply& r) {
  Bytes out = encode(r.packet, r.max_size);
  const Destination& d = r.destination;
  if (d.kind == Destination::Kind::hardware_unicast) {
    net::UdpEndpoints ep{l.interface.ipv4.address, l.port, d.ip, d.port};
    if (auto sent = l.raw.send(r.packet.mac(), ep, out); !sent) {
      spdlog::warn("dhcp: could not send reply to {} at {}: {}", d.ip.to_string(),
                   r.packet.mac().to_string(), sent.error().message);
    }
    return;
  }
  udp::endpoint to(asio::ip::address_v4(d.ip.value()), d.port);
  boost::system::error_code ec;
  l.socket.send_to(asio::buffer(out), to, 0, ec);
  if (ec)
    spdlog::warn("dhcp: could not send reply to {}: {}", to.address().to_string(), ec.message());
}

}  // namespace pxed::dhcp

#include "dhcp/server.h"

#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace pxed::dhcp {

namespace asio = boost::asio;
using asio::ip::udp;

struct Server::Listener {
  Listener(asio::io_context& io, const net::InterfaceInfo& i)
      : interface(i), socket(io), raw(i.index) {}
  net::InterfaceInfo interface;
  udp::socket socket;
  net::RawSender raw;
  udp::endpoint peer;
  std::array<std::uint8_t, 4096> buffer{};
};

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Server::Server(asio::io_context& io, ServerConfig config, Responder& responder)
    : io_(io), config_(std::move(config)), responder_(responder) {
  for (const net::InterfaceInfo& i : config_.interfaces) {
    auto bind_failed = [&](const std::error_code& ec) {
      throw std::system_error(ec, fmt::format("cannot listen on DHCP {}:{}", i.name, config_.port));
    };
    auto l = std::make_unique<Listener>(io, i);
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
    l->socket.bind(udp::endpoint(udp::v4(), config_.port), ec);
    if (ec) bind_failed(ec);
    listeners_.push_back(std::move(l));
  }
}

Server::~Server() = default;

void Server::start() {
  for (auto& l : listeners_) receive(*l);
}

void Server::stop() {
  for (auto& l : listeners_) {
    boost::system::error_code ec;
    l->socket.close(ec);
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
    Decision d = responder_.handle(*packet, arrival, unix_now());
    spdlog::info("{}", describe(d.exchange));
    if (d.reply && d.durable_ticket > durable_) {
      // An ACK whose lease is not on disk yet: it goes out when the group commit lands.
      pending_.push_back(Pending{d.durable_ticket, &l, std::move(*d.reply)});
    } else if (d.reply) {
      ++counters_.replies;
      send_reply(l, *d.reply);
    } else {
      ++counters_.silent;
    }
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
    net::UdpEndpoints ep{l.interface.ipv4.address, config_.port, d.ip, d.port};
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

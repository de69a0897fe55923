#include "dhcp/server.h"

#include <net/if.h>
#include <sys/socket.h>

#include <chrono>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pxed::dhcp {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

[[noreturn]] void bind_failed(const ServerConfig& c, const std::error_code& ec) {
  throw std::system_error(ec, fmt::format("cannot listen on DHCP {}:{}", c.interface.name, c.port));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Server::Server(asio::io_context& io, ServerConfig config, Responder& responder)
    : config_(std::move(config)), responder_(responder), socket_(io), raw_(config_.interface.index) {
  boost::system::error_code ec;
  socket_.open(udp::v4(), ec);
  if (ec) bind_failed(config_, ec);
  // Only this interface: DHCP must never answer on a link it was not asked to serve. No
  // SO_REUSEADDR, so a second DHCP server on the port is reported instead of sharing it.
  const std::string& name = config_.interface.name;
  if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                   static_cast<socklen_t>(name.size())) != 0) {
    bind_failed(config_, std::error_code(errno, std::generic_category()));
  }
  socket_.set_option(asio::socket_base::broadcast(true), ec);
  socket_.bind(udp::endpoint(udp::v4(), config_.port), ec);
  if (ec) bind_failed(config_, ec);
}

void Server::start() { receive(); }

void Server::stop() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void Server::receive() {
  socket_.async_receive_from(asio::buffer(buffer_), peer_,
                             [this](const boost::system::error_code& ec, std::size_t n) {
                               if (ec == asio::error::operation_aborted) return;
                               if (!ec) on_packet(n);
                               if (socket_.is_open()) receive();
                             });
}

void Server::on_packet(std::size_t n) {
  std::string peer = fmt::format("{}:{}", peer_.address().to_string(), peer_.port());
  try {
    auto packet = decode(ByteView(buffer_.data(), n));
    if (!packet) {
      spdlog::warn("dhcp: dropped a packet from {}: {}", peer, packet.error().message);
      return;
    }
    Decision d = responder_.handle(*packet, unix_now());
    if (d.reply) {
      spdlog::info("{}", describe(d.exchange));
      send_reply(*d.reply);
    } else {
      spdlog::info("{}", describe(d.exchange));
    }
    if (observer_) observer_(d.exchange);
  } catch (const std::exception& e) {
    // One bad packet never takes the daemon down.
    spdlog::error("dhcp: dropped a packet from {}: internal error: {}", peer, e.what());
  }
}

void Server::send_reply(const Reply& r) {
  Bytes out = encode(r.packet, r.max_size);
  const Destination& d = r.destination;
  if (d.kind == Destination::Kind::hardware_unicast) {
    net::UdpEndpoints ep{config_.interface.ipv4.address, config_.port, d.ip, d.port};
    if (auto sent = raw_.send(r.packet.mac(), ep, out); !sent) {
      spdlog::warn("dhcp: could not send reply to {} at {}: {}", d.ip.to_string(),
                   r.packet.mac().to_string(), sent.error().message);
    }
    return;
  }
  udp::endpoint to(asio::ip::address_v4(d.ip.value()), d.port);
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(out), to, 0, ec);
  if (ec) spdlog::warn("dhcp: could not send reply to {}: {}", to.address().to_string(), ec.message());
}

}  // namespace pxed::dhcp

// The DHCP I/O shell: receives on port 67 of one interface, hands each decoded request to the
// Responder, logs the exchange and sends the reply where RFC 2131 §4.1 says.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "dhcp/responder.h"
#include "net/interface.h"
#include "net/raw_sender.h"

namespace pxed::dhcp {

struct ServerConfig {
  net::InterfaceInfo interface;
  std::uint16_t port = 67;
};

class Server {
 public:
  using Observer = std::function<void(const Exchange&)>;

  // Binds at once; throws std::system_error "cannot listen on DHCP IF:PORT: reason".
  Server(boost::asio::io_context& io, ServerConfig config, Responder& responder);
  void start();
  void stop();
  // Called after each exchange, on the server's thread (boot timeline, metrics).
  void set_observer(Observer o) { observer_ = std::move(o); }

 private:
  void receive();
  void on_packet(std::size_t n);
  void send_reply(const Reply& r);

  ServerConfig config_;
  Responder& responder_;
  boost::asio::ip::udp::socket socket_;
  net::RawSender raw_;
  boost::asio::ip::udp::endpoint peer_;
  std::array<std::uint8_t, 4096> buffer_{};
  Observer observer_;
};

}  // namespace pxed::dhcp

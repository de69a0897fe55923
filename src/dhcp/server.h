// The DHCP I/O shell: one socket on port 67 per served interface (SO_BINDTODEVICE, so each
// request's arrival interface is known and its reply leaves by the same one), hands each decoded
// request to the Responder, logs the exchange and sends the reply where RFC 2131 §4.1 says.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "core/log_limiter.h"
#include "dhcp/responder.h"
#include "net/interface.h"
#include "net/raw_sender.h"

namespace pxed::dhcp {

struct ServerConfig {
  std::vector<net::InterfaceInfo> interfaces;
  std::uint16_t port = 67;
};

struct ServerCounters {
  std::atomic<std::uint64_t> received{0}, malformed{0}, replies{0}, silent{0};
};

class Server {
 public:
  using Observer = std::function<void(const Exchange&)>;

  // Binds at once; throws std::system_error "cannot listen on DHCP IF:PORT: reason".
  Server(boost::asio::io_context& io, ServerConfig config, Responder& responder);
  ~Server();
  void start();
  void stop();
  // Called after each exchange, on the server's thread (boot timeline, metrics).
  void set_observer(Observer o) { observer_ = std::move(o); }
  const ServerCounters& counters() const { return counters_; }

  // From any thread: every lease write up to `ticket` is durable (ok) or failed. ACKs that were
  // waiting for those writes are sent, or withheld if the writes failed.
  void on_durable(std::uint64_t ticket, bool ok, std::string error);

 private:
  struct Listener;
  void receive(Listener& l);
  void on_packet(Listener& l, std::size_t n);
  void send_reply(Listener& l, const Reply& r);
  void release_pending(std::uint64_t ticket, bool ok, const std::string& error);

  struct Pending {
    std::uint64_t ticket;
    Listener* listener;
    Reply reply;
  };
  boost::asio::io_context& io_;
  std::deque<Pending> pending_;  // in ticket order
  std::uint64_t durable_ = 0;    // highest ticket known durable, on the server's thread
  ServerConfig config_;
  Responder& responder_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  LogLimiter malformed_log_{std::chrono::seconds(10)};
  Observer observer_;
  ServerCounters counters_;
};

}  // namespace pxed::dhcp

// The DHCP I/O shell: one socket on port 67 per served interface (SO_BINDTODEVICE, so each
// request's arrival interface is known and its reply leaves by the same one), hands each decoded
// request to the Responder, logs the exchange and sends the reply where RFC 2131 §4.1 says.
// In proxy mode (dhcp/proxy.h) the ProxyResponder answers instead, and each interface also has a
// socket on the PXE boot-server port 4011, whose replies leave from that port.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/log_limiter.h"
#include "dhcp/conflict_probe.h"
#include "dhcp/proxy.h"
#include "dhcp/responder.h"
#include "net/interface.h"
#include "net/raw_sender.h"

namespace pxed::dhcp {

struct ServerConfig {
  std::vector<net::InterfaceInfo> interfaces;
  std::uint16_t port = 67;
  // ARP-probe offered addresses (Decision::probe) and report conflicts to the Responder.
  bool conflict_detection = false;
  // How often expired leases are reclaimed (Responder::reclaim); the first run is in start().
  std::chrono::seconds reclaim_interval{60};
  std::uint16_t boot_server_port = kPxeBootServerPort;  // proxy mode only
};

struct ServerCounters {
  std::atomic<std::uint64_t> received{0}, malformed{0}, replies{0}, silent{0}, probes{0},
      conflicts{0}, reclaimed{0};
};

class Server {
 public:
  using Observer = std::function<void(const Exchange&)>;

  // Binds at once; throws std::system_error "cannot listen on DHCP IF:PORT: reason".
  Server(boost::asio::io_context& io, ServerConfig config, Responder& responder);
  // Proxy mode: no leases, no probes; also listens on config.boot_server_port.
  Server(boost::asio::io_context& io, ServerConfig config, const ProxyResponder& proxy);
  ~Server();
  // Starts receiving; reclaims expired leases first (so it is logged before "ready").
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
  void open_listeners();
  void open(const net::InterfaceInfo& i, std::uint16_t port, bool boot_server);
  void receive(Listener& l);
  void on_packet(Listener& l, std::size_t n);
  void send_reply(Listener& l, const Reply& r);
  void release_pending(std::uint64_t ticket, bool ok, const std::string& error);
  void queue_or_send(std::uint64_t ticket, Listener& l, Reply reply);
  void probe(Listener& l, const Decision& d);
  bool hold_for_probe(Listener& l, Decision& d, const Packet& request, const Arrival& arrival);
  void release_held(Ipv4 address, std::uint64_t id);
  void wait_arp(Listener& l);
  void on_arp(Listener& l);
  void reclaim();
  void schedule_reclaim();

  struct Pending {
    std::uint64_t ticket;
    Listener* listener;
    Reply reply;
  };
  boost::asio::io_context& io_;
  std::deque<Pending> pending_;  // in ticket order
  std::uint64_t durable_ = 0;    // highest ticket known durable, on the server's thread
  ServerConfig config_;
  Responder* responder_ = nullptr;         // DHCP server mode
  const ProxyResponder* proxy_ = nullptr;  // proxy mode
  std::vector<std::unique_ptr<Listener>> listeners_;
  LogLimiter malformed_log_{std::chrono::seconds(10)};
  ConflictProbes probes_;
  // ACKs for addresses whose probe is still running (see conflict_probe.h), by address.
  struct Held {
    std::uint64_t id;
    std::uint64_t ticket;
    Listener* listener;
    Reply reply;
    Packet request;
    Arrival arrival;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  std::map<Ipv4, Held> held_;
  std::uint64_t next_held_id_ = 0;
  boost::asio::steady_timer reclaim_timer_;
  Observer observer_;
  ServerCounters counters_;
};

}  // namespace pxed::dhcp

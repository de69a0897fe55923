// The I/O shell that answers IPv6 router solicitations with the minimal advertisement of
// net/router_advert.h (router lifetime 0, no prefix, M=0 O=0), so that iPXE ends its IPv6
// autoconfiguration at once instead of waiting about 13 s for a router that is not there. Whom it
// answers is net/ra_gate.h's decision (by default: only machines pxed is PXE-booting, only on
// links without a real router).
//
// One raw ICMPv6 socket per interface (SO_BINDTODEVICE), filtered to router solicitations and
// advertisements, member of ff02::2 on that interface; hop limit 255 out, and 255 required in. In
// pxe-clients mode it sends one router solicitation per interface at start, so that a router on
// the link makes itself known before the first client asks. Each answer goes
// from the interface's link-local address to the solicitor's link-local address, at most one per
// source every 300 ms; to ff02::1 if the solicitor had no address, at most one every 3 s (RFC 4861
// §6.2.6 MIN_DELAY_BETWEEN_RAS). Unlike a router, pxed answers at once, without §6.2.6's random
// delay of up to 0.5 s: being fast is the point.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/log_limiter.h"
#include "net/interface.h"
#include "net/ra_gate.h"
#include "net/router_advert.h"

namespace pxed::net {

struct RaCounters {
  std::atomic<std::uint64_t> solicitations{0}, advertisements{0}, malformed{0}, limited{0},
      unanswered{0}, not_booting{0}, router_present{0}, held{0}, routers_heard{0};
};

class RaResponder {
 public:
  // Opens the sockets at once. Never throws: an interface it cannot serve (IPv6 disabled there
  // or in the kernel) is reported with a warning and left out. An interface without a link-local
  // address yet (no carrier, address still tentative) is served; solicitations on it go
  // unanswered, with a warning, until it has one.
  RaResponder(boost::asio::io_context& io, const std::vector<InterfaceInfo>& interfaces,
              RaGateConfig gate = {});
  ~RaResponder();
  RaResponder(const RaResponder&) = delete;
  RaResponder& operator=(const RaResponder&) = delete;

  void start();
  void stop();
  // A PXE, iPXE or HTTP Boot client's DHCP message was answered (from any thread): in
  // pxe-clients mode it may now be answered, and a solicitation it sent just before is.
  void pxe_client(const MacAddress& mac);
  // How many interfaces it listens on.
  std::size_t listening() const { return listeners_.size(); }
  const RaCounters& counters() const { return counters_; }

 private:
  struct Listener;
  void wait(Listener& l);
  void on_readable(Listener& l);
  void on_solicitation(Listener& l, ByteView icmp, const Ipv6Address& source, int hop_limit);
  void on_advertisement(Listener& l, ByteView icmp, const Ipv6Address& source, int hop_limit);
  void advertise(Listener& l, const Ipv6Address& source, const std::string& who, bool held);
  void solicit_routers(Listener& l);
  // Sends `icmp` from our link-local address `from` to `to` on the listener's interface.
  bool send(Listener& l, const Bytes& icmp, const Ipv6Address& from, const Ipv6Address& to);
  void warn(const std::string& key, const std::string& message);

  boost::asio::io_context& io_;
  RaGate gate_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  LogLimiter per_source_{std::chrono::milliseconds(300)};
  LogLimiter multicast_{std::chrono::seconds(3)};
  LogLimiter warnings_{std::chrono::seconds(10)};
  RaCounters counters_;
};

}  // namespace pxed::net

#include "net/ra_responder.h"

#include <ifaddrs.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "core/unique_fd.h"

namespace pxed::net {

namespace asio = boost::asio;

struct RaResponder::Listener {
  Listener(asio::io_context& io, const InterfaceInfo& i) : interface(i), socket(io) {}
  InterfaceInfo interface;
  asio::posix::stream_descriptor socket;
};

namespace {

// The interface's IPv6 link-local address, if it has one now (it appears once the link has a
// carrier and duplicate address detection is done).
std::optional<Ipv6Address> link_local_address(const std::string& name) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::optional<Ipv6Address> found;
  for (ifaddrs* a = list; a && !found; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET6 || name != a->ifa_name) continue;
    Ipv6Address addr;
    std::memcpy(addr.data(), &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, 16);
    if (is_link_local(addr)) found = addr;
  }
  ::freeifaddrs(list);
  return found;
}

bool ipv6_disabled_on(const std::string& name) {
  std::ifstream f("/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6");
  int disabled = 0;
  return !(f >> disabled) || disabled != 0;  // no such file: no IPv6 in this kernel
}

std::string errno_text() {
  return std::strerror(errno);
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The raw ICMPv6 socket for one interface, or why there is none.
Result<UniqueFd> open_ra_socket(const InterfaceInfo& i) {
  auto failed = [&](const char* what) {
    return fail(Errc::io, fmt::format("{}: {}", what, errno_text()));
  };
  UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6));
  if (!fd.valid()) return failed("cannot open a raw ICMPv6 socket");
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, i.name.c_str(),
                   static_cast<socklen_t>(i.name.size())) != 0) {
    return failed("cannot bind the ICMPv6 socket to the interface");
  }
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &filter);  // other routers: pxe-clients mode steps back
  if (::setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) {
    return failed("cannot set the ICMPv6 filter");
  }
  const int on = 1, off = 0, hops = kNdpHopLimit;
  const int ifindex = static_cast<int>(i.index);
  if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) != 0) {
    return failed("cannot set the ICMPv6 socket options");
  }
  ipv6_mreq join{};
  std::memcpy(&join.ipv6mr_multiaddr, kAllRouters.data(), 16);
  join.ipv6mr_interface = i.index;
  if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &join, sizeof join) != 0) {
    return failed("cannot join ff02::2");
  }
  return fd;
}

}  // namespace

RaResponder::RaResponder(asio::io_context& io, const std::vector<InterfaceInfo>& interfaces,
                         RaGateConfig gate)
    : io_(io), gate_(gate) {
  for (const InterfaceInfo& i : interfaces) {
    if (ipv6_disabled_on(i.name)) {
      spdlog::warn(
          "ra: {} has no IPv6 (disabled on it or in the kernel); router solicitations "
          "on it are not answered",
          i.name);
      continue;
    }
    auto fd = open_ra_socket(i);
    if (!fd) {
      spdlog::warn("ra: {}: {}; router solicitations on it are not answered", i.name,
                   fd.error().message);
      continue;
    }
    if (!link_local_address(i.name)) {
      spdlog::warn(
          "ra: {} has no IPv6 link-local address yet (no carrier, or still being "
          "checked for duplicates); router solicitations are answered once it has one",
          i.name);
    } else if (gate_.mode() == RaMode::all) {
      spdlog::info("ra: answering IPv6 router solicitations on {} (lifetime 0, no prefix)", i.name);
    } else {
      spdlog::info(
          "ra: answering IPv6 router solicitations of the PXE clients booting on {} (lifetime "
          "0, no prefix), unless another router advertises there",
          i.name);
    }
    auto l = std::make_unique<Listener>(io, i);
    l->socket.assign(fd->release());
    listeners_.push_back(std::move(l));
  }
}

RaResponder::~RaResponder() = default;

void RaResponder::start() {
  for (auto& l : listeners_) {
    wait(*l);
    if (gate_.mode() == RaMode::pxe_clients) solicit_routers(*l);
  }
}

void RaResponder::pxe_client(const MacAddress& mac) {
  // Without a listener the loop has no work and does not run: nothing to post to.
  if (listeners_.empty() || gate_.mode() != RaMode::pxe_clients) return;
  asio::post(io_, [this, mac] {
    for (const RaGate::Held& h : gate_.pxe_client(mac, steady_ms())) {
      for (auto& l : listeners_) {
        if (l->interface.name == h.link) {
          advertise(*l, h.source, mac.to_string() + " " + ipv6_to_string(h.source), true);
        }
      }
    }
  });
}

void RaResponder::solicit_routers(Listener& l) {
  auto ours = link_local_address(l.interface.name);
  if (!ours) return;  // a router will show itself with its periodic advertisement
  send(l, encode_router_solicitation(l.interface.mac), *ours, kAllRouters);
}

void RaResponder::stop() {
  for (auto& l : listeners_) {
    boost::system::error_code ec;
    l->socket.cancel(ec);
    l->socket.close(ec);
  }
}

void RaResponder::wait(Listener& l) {
  l.socket.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, &l](const boost::system::error_code& ec) {
                        if (ec) return;  // cancelled: stopping
                        on_readable(l);
                        wait(l);
                      });
}

void RaResponder::on_readable(Listener& l) {
  std::array<std::uint8_t, 1280> buf{};  // the IPv6 minimum MTU: more is no solicitation
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int)) + 64> control{};
  for (int n = 0; n < 64; ++n) {  // bounded: a flood must not keep the loop here
    sockaddr_in6 from{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t got = ::recvmsg(l.socket.native_handle(), &msg, 0);
    if (got < 0) return;  // EAGAIN: nothing queued (or an error: try again when readable)
    int hop_limit = -1;   // none reported: refused as not 255
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
        std::memcpy(&hop_limit, CMSG_DATA(c), sizeof hop_limit);
      }
    }
    Ipv6Address source;
    std::memcpy(source.data(), &from.sin6_addr, 16);
    if (msg.msg_flags & MSG_TRUNC) {
      ++counters_.malformed;
      continue;
    }
    const ByteView icmp(buf.data(), static_cast<std::size_t>(got));
    if (!icmp.empty() && icmp[0] == kIcmpv6RouterAdvertisement) {
      on_advertisement(l, icmp, source, hop_limit);
    } else {
      on_solicitation(l, icmp, source, hop_limit);
    }
  }
}

void RaResponder::on_solicitation(Listener& l, ByteView icmp, const Ipv6Address& source,
                                  int hop_limit) {
  ++counters_.solicitations;
  const std::string from = ipv6_to_string(source);
  auto rs = decode_router_solicitation(icmp, source, hop_limit);
  if (!rs) {
    ++counters_.malformed;
    warn("malformed " + from + " " + rs.error().message,
         fmt::format("ra: {} on {}: router solicitation dropped: {}", from, l.interface.name,
                     rs.error().message));
    return;
  }
  const std::optional<MacAddress> mac = rs->source_mac ? rs->source_mac : mac_from_eui64(source);
  const std::string who = mac ? mac->to_string() + " " + from : from;
  switch (gate_.solicitation(l.interface.name, mac, source, steady_ms())) {
    case RaGate::Verdict::answer:
      advertise(l, source, who, false);
      return;
    case RaGate::Verdict::hold:
      ++counters_.held;
      spdlog::debug("ra: {} router solicitation on {}: held until its PXE DHCP is seen", who,
                    l.interface.name);
      return;
    case RaGate::Verdict::router_present:
      ++counters_.router_present;
      spdlog::debug("ra: {} router solicitation on {}: not answered, a router advertises there",
                    who, l.interface.name);
      return;
    case RaGate::Verdict::not_booting:
      ++counters_.not_booting;
      spdlog::debug("ra: {} router solicitation on {}: not answered, not a PXE client booting "
                    "from pxed",
                    who, l.interface.name);
      return;
  }
}

void RaResponder::on_advertisement(Listener& l, ByteView icmp, const Ipv6Address& source,
                                   int hop_limit) {
  auto ra = decode_router_advertisement(icmp, source, hop_limit);
  if (!ra) {
    warn("malformed ra " + ipv6_to_string(source),
         fmt::format("ra: {} on {}: router advertisement ignored: {}", ipv6_to_string(source),
                     l.interface.name, ra.error().message));
    return;
  }
  auto ours = link_local_address(l.interface.name);
  if (ours && *ours == source) return;
  if (ra->source_mac && *ra->source_mac == l.interface.mac) return;
  ++counters_.routers_heard;
  if (gate_.router_heard(l.interface.name, steady_ms()) && gate_.mode() == RaMode::pxe_clients) {
    spdlog::info(
        "ra: router {} advertises on {} (router lifetime {} s); pxed leaves router "
        "solicitations there to it",
        ipv6_to_string(source), l.interface.name, ra->router_lifetime);
  }
}

void RaResponder::advertise(Listener& l, const Ipv6Address& source, const std::string& who,
                            bool held) {
  const auto now = LogLimiter::Clock::now();
  const Ipv6Address to = advertisement_destination(source);
  LogLimiter& limiter = is_multicast(to) ? multicast_ : per_source_;
  if (!limiter.allow(l.interface.name + " " + ipv6_to_string(source), now)) {
    ++counters_.limited;
    return;
  }
  auto ours = link_local_address(l.interface.name);
  if (!ours) {
    ++counters_.unanswered;
    warn("no link-local " + l.interface.name,
         fmt::format("ra: {} router solicitation on {} not answered: the interface has no IPv6 "
                     "link-local address yet",
                     who, l.interface.name));
    return;
  }
  if (*ours == source) return;  // our own (never expected: the kernel does not loop it back)
  if (!send(l, encode_router_advertisement(minimal_router_advertisement(l.interface.mac)), *ours,
            to)) {
    ++counters_.unanswered;
    warn("send " + l.interface.name,
         fmt::format("ra: {} router solicitation on {}: cannot send the advertisement from {}: {}",
                     who, l.interface.name, ipv6_to_string(*ours), errno_text()));
    return;
  }
  ++counters_.advertisements;
  spdlog::info("ra: {} router solicitation -> router advertisement (lifetime 0, no prefix{})",
               who, held ? "; held until its PXE DHCP" : "");
}

bool RaResponder::send(Listener& l, const Bytes& icmp, const Ipv6Address& from,
                       const Ipv6Address& to) {
  sockaddr_in6 dest{};
  dest.sin6_family = AF_INET6;
  std::memcpy(&dest.sin6_addr, to.data(), 16);
  dest.sin6_scope_id = l.interface.index;
  iovec iov{const_cast<std::uint8_t*>(icmp.data()), icmp.size()};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  msghdr msg{};
  msg.msg_name = &dest;
  msg.msg_namelen = sizeof dest;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo info{};
  std::memcpy(&info.ipi6_addr, from.data(), 16);  // neighbor discovery comes from link-local
  info.ipi6_ifindex = l.interface.index;
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  return ::sendmsg(l.socket.native_handle(), &msg, 0) >= 0;
}

void RaResponder::warn(const std::string& key, const std::string& message) {
  auto held = warnings_.allow(key, LogLimiter::Clock::now());
  if (!held) return;
  if (*held == 0) {
    spdlog::warn("{}", message);
  } else {
    spdlog::warn("{} ({} more like it not logged)", message, *held);
  }
}

}  // namespace pxed::net

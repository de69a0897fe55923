#include "net/interface.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <memory>

#include "core/unique_fd.h"

namespace pxed::net {

Result<InterfaceInfo> find_interface(const std::string& name) {
  InterfaceInfo info;
  info.name = name;
  info.index = ::if_nametoindex(name.c_str());
  if (info.index == 0) return fail(Errc::not_found, "interface " + name + " does not exist");
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return fail(Errc::io, "cannot list interfaces");
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> guard(list, &::freeifaddrs);
  bool have_ipv4 = false;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || name != a->ifa_name) continue;
    if (a->ifa_addr->sa_family == AF_INET && !have_ipv4) {
      auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
      auto* mask = reinterpret_cast<sockaddr_in*>(a->ifa_netmask);
      info.ipv4.address = Ipv4(ntohl(sin->sin_addr.s_addr));
      info.ipv4.netmask = Ipv4(mask ? ntohl(mask->sin_addr.s_addr) : 0xffffffffu);
      have_ipv4 = true;
    } else if (a->ifa_addr->sa_family == AF_PACKET) {
      auto* ll = reinterpret_cast<sockaddr_ll*>(a->ifa_addr);
      if (ll->sll_halen == 6) info.mac = MacAddress::from(ByteView(ll->sll_addr, 6));
    }
  }
  if (!have_ipv4) return fail(Errc::invalid_argument, "interface " + name + " has no IPv4 address");
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq req{};
  name.copy(req.ifr_name, IFNAMSIZ - 1);
  if (s.valid() && ::ioctl(s.get(), SIOCGIFMTU, &req) == 0 && req.ifr_mtu > 0) {
    info.mtu = static_cast<unsigned>(req.ifr_mtu);
  }
  return info;
}

}  // namespace pxed::net

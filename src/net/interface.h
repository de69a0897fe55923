// Looks up a network interface: its index, hardware address, IPv4 address with netmask and MTU.
#pragma once

#include <string>

#include "core/net_types.h"
#include "core/result.h"

namespace pxed::net {

struct InterfaceInfo {
  std::string name;
  unsigned index = 0;
  MacAddress mac;
  Ipv4Network ipv4;
  unsigned mtu = 1500;
};

// not_found if there is no such interface, invalid_argument if it has no IPv4 address.
Result<InterfaceInfo> find_interface(const std::string& name);

}  // namespace pxed::net

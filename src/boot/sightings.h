// The machines DHCP has seen lately: what each said about itself and the address it was given,
// by MAC and by address. TFTP and HTTP use it to know who asks for a boot file (pxelinux asks for
// pxelinux.cfg/default, GRUB for grub/grub.cfg, both from the address DHCP gave them).
// Thread-safe; bounded (the oldest are forgotten first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::boot {

struct Sighting {
  MacAddress mac;
  Ipv4 ip;  // zero if none yet
  std::optional<std::uint16_t> arch;
  bool ipxe = false;
  std::optional<Bytes> uuid;
  std::string user_class;
  std::string hostname;
  std::int64_t at = 0;  // unix seconds
};

class Sightings {
 public:
  explicit Sightings(std::size_t capacity = 65536) : capacity_(capacity) {}

  // Merges into what is known of the MAC: a later message without an architecture (syslinux.efi's
  // own DHCP) or without an address keeps the earlier one.
  void record(const Sighting& s);
  std::optional<Sighting> by_mac(const MacAddress& mac) const;
  std::optional<Sighting> by_ip(Ipv4 ip) const;
  std::size_t size() const;

 private:
  using Order = std::list<MacAddress>;  // least recently seen first
  struct Entry {
    Sighting s;
    Order::iterator pos;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::map<MacAddress, Entry> by_mac_;
  std::map<Ipv4, MacAddress> by_ip_;
  Order order_;
};

}  // namespace pxed::boot

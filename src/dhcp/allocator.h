// Finds a free address in a subnet's pools without scanning from the start every time: each
// pool keeps a cursor just past the last address it handed out, so a pool of 100,000 addresses
// costs a handful of probes per new client rather than a walk over every lease. Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "config/config.h"
#include "core/net_types.h"

namespace pxed::dhcp {

class Allocator {
 public:
  // `reserved` addresses (fixed host reservations) are never handed out dynamically.
  Allocator(std::vector<config::AddressRange> pools, std::vector<config::AddressRange> exclusions,
            std::set<Ipv4> reserved);

  // True if `ip` is an address pools may hand out (inside a pool, not excluded, not reserved).
  bool dynamic(Ipv4 ip) const;

  // The next address, from the cursors on, for which `is_free` holds; visits each pool address at
  // most once per call. `is_free` says whether the lease table has the address free.
  std::optional<Ipv4> next_free(const std::function<bool(Ipv4)>& is_free);

  std::uint64_t capacity() const;

 private:
  struct Pool {
    config::AddressRange range;
    std::uint32_t cursor;  // next address to try
  };
  bool excluded(Ipv4 ip) const;

  std::vector<Pool> pools_;
  std::vector<config::AddressRange> exclusions_;
  std::set<Ipv4> reserved_;
  std::size_t current_pool_ = 0;
};

}  // namespace pxed::dhcp

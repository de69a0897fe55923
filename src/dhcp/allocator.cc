#include "dhcp/allocator.h"

#include <algorithm>

namespace pxed::dhcp {

Allocator::Allocator(std::vector<config::AddressRange> pools,
                     std::vector<config::AddressRange> exclusions, std::set<Ipv4> reserved)
    : exclusions_(std::move(exclusions)), reserved_(std::move(reserved)) {
  for (const auto& r : pools) pools_.push_back(Pool{r, r.start.value()});
}

bool Allocator::excluded(Ipv4 ip) const {
  if (reserved_.contains(ip)) return true;
  return std::any_of(exclusions_.begin(), exclusions_.end(),
                     [&](const config::AddressRange& r) { return r.contains(ip); });
}

bool Allocator::dynamic(Ipv4 ip) const {
  bool in_pool = std::any_of(pools_.begin(), pools_.end(),
                             [&](const Pool& p) { return p.range.contains(ip); });
  return in_pool && !excluded(ip);
}

std::uint64_t Allocator::capacity() const {
  std::uint64_t n = 0;
  for (const Pool& p : pools_) n += p.range.size();
  return n;
}

std::optional<Ipv4> Allocator::next_free(const std::function<bool(Ipv4)>& is_free) {
  for (std::size_t k = 0; k < pools_.size(); ++k) {
    Pool& pool = pools_[(current_pool_ + k) % pools_.size()];
    const std::uint64_t size = pool.range.size();
    std::uint64_t offset = pool.cursor - pool.range.start.value();
    for (std::uint64_t i = 0; i < size; ++i) {
      Ipv4 ip(static_cast<std::uint32_t>(pool.range.start.value() + (offset + i) % size));
      if (excluded(ip) || !is_free(ip)) continue;
      std::uint64_t next = (offset + i + 1) % size;
      pool.cursor = static_cast<std::uint32_t>(pool.range.start.value() + next);
      current_pool_ = (current_pool_ + k) % pools_.size();
      return ip;
    }
  }
  return std::nullopt;
}

}  // namespace pxed::dhcp

#include "boot/sightings.h"

namespace pxed::boot {

void Sightings::record(const Sighting& s) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = by_mac_.try_emplace(s.mac);
  Entry& e = it->second;
  if (fresh) {
    e.s = s;
    e.pos = order_.insert(order_.end(), s.mac);
  } else {
    Sighting merged = s;
    if (!merged.arch) merged.arch = e.s.arch;
    if (merged.ip.is_zero()) merged.ip = e.s.ip;
    if (!merged.uuid) merged.uuid = e.s.uuid;
    if (merged.hostname.empty()) merged.hostname = e.s.hostname;
    if (!e.s.ip.is_zero() && e.s.ip != merged.ip) {
      auto old = by_ip_.find(e.s.ip);
      if (old != by_ip_.end() && old->second == s.mac) by_ip_.erase(old);
    }
    e.s = std::move(merged);
    order_.splice(order_.end(), order_, e.pos);
  }
  if (!e.s.ip.is_zero()) by_ip_[e.s.ip] = s.mac;
  while (by_mac_.size() > capacity_) {
    auto oldest = by_mac_.find(order_.front());
    if (auto ip = by_ip_.find(oldest->second.s.ip);
        ip != by_ip_.end() && ip->second == oldest->first) {
      by_ip_.erase(ip);
    }
    by_mac_.erase(oldest);
    order_.pop_front();
  }
}

std::optional<Sighting> Sightings::by_mac(const MacAddress& mac) const {
  std::lock_guard lock(mutex_);
  auto it = by_mac_.find(mac);
  if (it == by_mac_.end()) return std::nullopt;
  return it->second.s;
}

std::optional<Sighting> Sightings::by_ip(Ipv4 ip) const {
  std::lock_guard lock(mutex_);
  auto it = by_ip_.find(ip);
  if (it == by_ip_.end()) return std::nullopt;
  auto m = by_mac_.find(it->second);
  if (m == by_mac_.end()) return std::nullopt;
  return m->second.s;
}

std::size_t Sightings::size() const {
  std::lock_guard lock(mutex_);
  return by_mac_.size();
}

}  // namespace pxed::boot

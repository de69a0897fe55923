#include "dhcp/conflict_probe.h"

#include <iterator>

namespace pxed::dhcp {

void ConflictProbes::expire(Clock::time_point now) {
  // A full sweep at most once per window keeps a busy server from rescanning the table per packet.
  if (now < next_sweep_) return;
  std::erase_if(probes_, [&](const auto& p) { return p.second.until <= now; });
  next_sweep_ = now + window_;
}

bool ConflictProbes::start(Ipv4 address, const std::string& interface, const MacAddress& client,
                           Clock::time_point now) {
  expire(now);
  auto [it, inserted] = probes_.try_emplace(address, Probe{interface, client, now + window_});
  if (!inserted && (it->second.until <= now || it->second.client != client ||
                    it->second.interface != interface)) {
    // The last probe is over, or the address went to somebody else since: probe again.
    it->second = Probe{interface, client, now + window_};
    return true;
  }
  return inserted;
}

std::optional<ConflictProbes::Clock::time_point> ConflictProbes::running(
    Ipv4 address, const std::string& interface, Clock::time_point now) const {
  auto it = probes_.find(address);
  if (it == probes_.end() || it->second.until <= now || it->second.interface != interface) {
    return std::nullopt;
  }
  return it->second.until;
}

std::optional<ConflictProbes::Conflict> ConflictProbes::on_arp(const std::string& interface,
                                                               Ipv4 sender_ip,
                                                               const MacAddress& sender_mac,
                                                               Clock::time_point now) {
  expire(now);
  auto it = probes_.find(sender_ip);
  if (it == probes_.end() || it->second.until <= now || it->second.interface != interface) {
    return std::nullopt;
  }
  // The client itself may already use the address (it rebooted and kept it): not a conflict.
  if (sender_mac == it->second.client) return std::nullopt;
  Conflict c{sender_ip, sender_mac, it->second.client};
  probes_.erase(it);
  return c;
}

}  // namespace pxed::dhcp

#include "net/ra_gate.h"

#include <algorithm>
#include <iterator>

namespace pxed::net {

std::optional<RaMode> parse_ra_mode(std::string_view text) {
  if (text == "off") return RaMode::off;
  if (text == "pxe-clients") return RaMode::pxe_clients;
  if (text == "all") return RaMode::all;
  return std::nullopt;
}

const char* to_string(RaMode mode) {
  switch (mode) {
    case RaMode::off:
      return "off";
    case RaMode::pxe_clients:
      return "pxe-clients";
    case RaMode::all:
      return "all";
  }
  return "?";
}

std::optional<MacAddress> mac_from_eui64(const Ipv6Address& a) {
  if (!is_link_local(a) || a[11] != 0xff || a[12] != 0xfe) return std::nullopt;
  return MacAddress({static_cast<std::uint8_t>(a[8] ^ 0x02), a[9], a[10], a[13], a[14], a[15]});
}

bool RaGate::router_present(const std::string& link, std::int64_t now_ms) const {
  auto it = routers_.find(link);
  return it != routers_.end() && now_ms - it->second < config_.router_quiet_ms;
}

void RaGate::expire(std::int64_t now_ms) {
  std::erase_if(booting_, [&](const auto& b) { return b.second <= now_ms; });
  while (!held_.empty() && held_.front().until_ms <= now_ms) held_.pop_front();
}

RaGate::Verdict RaGate::solicitation(const std::string& link, const std::optional<MacAddress>& mac,
                                     const Ipv6Address& source, std::int64_t now_ms) {
  if (config_.mode == RaMode::all) return Verdict::answer;
  if (config_.mode == RaMode::off) return Verdict::not_booting;
  expire(now_ms);
  if (router_present(link, now_ms)) return Verdict::router_present;
  if (!mac) return Verdict::not_booting;
  if (booting_.contains(*mac)) return Verdict::answer;
  // Held once per source: a host that repeats its solicitation moves to the back of the queue,
  // with a new deadline.
  std::erase_if(held_, [&](const HeldEntry& e) { return e.h.link == link && e.h.source == source; });
  if (held_.size() >= config_.capacity) held_.pop_front();
  held_.push_back({{link, source, *mac}, now_ms + config_.hold_ms});
  return Verdict::hold;
}

bool RaGate::router_heard(const std::string& link, std::int64_t now_ms) {
  const bool was_quiet = !router_present(link, now_ms);
  routers_[link] = now_ms;
  return was_quiet;
}

std::vector<RaGate::Held> RaGate::pxe_client(const MacAddress& mac, std::int64_t now_ms) {
  std::vector<Held> ready;
  if (config_.mode != RaMode::pxe_clients) return ready;
  expire(now_ms);
  if (!booting_.contains(mac) && booting_.size() >= config_.capacity) {
    // Full: forget the machine whose boot window ends first.
    booting_.erase(std::min_element(booting_.begin(), booting_.end(), [](const auto& x,
                                                                         const auto& y) {
      return x.second < y.second;
    }));
  }
  booting_[mac] = now_ms + config_.booting_ms;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->h.mac != mac) {
      ++it;
      continue;
    }
    if (!router_present(it->h.link, now_ms)) ready.push_back(it->h);
    it = held_.erase(it);
  }
  return ready;
}

}  // namespace pxed::net

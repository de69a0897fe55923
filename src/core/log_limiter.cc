#include "core/log_limiter.h"

namespace pxed {

std::optional<std::uint64_t> LogLimiter::allow(const std::string& key, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      std::erase_if(entries_, [&](const auto& e) { return now - e.second.last >= interval_; });
      if (entries_.size() >= max_keys_) return std::nullopt;  // a flood of sources: stay quiet
    }
    entries_.emplace(key, Entry{now, 0});
    return 0;
  }
  if (now - it->second.last < interval_) {
    ++it->second.suppressed;
    return std::nullopt;
  }
  std::uint64_t held = it->second.suppressed;
  it->second = Entry{now, 0};
  return held;
}

}  // namespace pxed

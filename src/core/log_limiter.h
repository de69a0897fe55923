// Decides whether a repeated log line may be written: at most once per key per interval, and
// says how many were held back meanwhile. Pure (time is passed in); bounded in memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pxed {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogLimiter(Clock::duration interval, std::size_t max_keys = 4096)
      : interval_(interval), max_keys_(max_keys) {}

  // nullopt: stay quiet. Otherwise log, mentioning the returned count of suppressed lines.
  std::optional<std::uint64_t> allow(const std::string& key, Clock::time_point now);

 private:
  struct Entry {
    Clock::time_point last;
    std::uint64_t suppressed = 0;
  };
  Clock::duration interval_;
  std::size_t max_keys_;
  std::map<std::string, Entry> entries_;
};

}  // namespace pxed

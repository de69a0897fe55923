// Wall-clock time as the protocol logic takes it: unix seconds, read once by the I/O layer.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace pxed {

inline std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// The same in milliseconds, for events.
inline std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pxed

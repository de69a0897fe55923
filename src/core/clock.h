// Wall-clock time as the protocol logic takes it: unix seconds, read once by the I/O layer.
#pragma once

#include <cstdint>
#include <ctime>

namespace pxed {

inline std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace pxed

#include "core/log_limiter.h"

#include <gtest/gtest.h>

namespace pxed {
namespace {

using namespace std::chrono_literals;

TEST(LogLimiter, OncePerIntervalPerKeyWithCountOfHeldLines) {
  LogLimiter l(10s);
  LogLimiter::Clock::time_point t0{};
  EXPECT_EQ(l.allow("a", t0), 0u);
  EXPECT_FALSE(l.allow("a", t0 + 1s));
  EXPECT_FALSE(l.allow("a", t0 + 9s));
  EXPECT_EQ(l.allow("b", t0 + 9s), 0u) << "other keys are independent";
  EXPECT_EQ(l.allow("a", t0 + 10s), 2u);
}

TEST(LogLimiter, BoundedKeys) {
  LogLimiter l(10s, 2);
  LogLimiter::Clock::time_point t0{};
  EXPECT_TRUE(l.allow("a", t0));
  EXPECT_TRUE(l.allow("b", t0));
  EXPECT_FALSE(l.allow("c", t0)) << "table full of recent keys";
  EXPECT_TRUE(l.allow("c", t0 + 11s)) << "old keys were evicted";
}

}  // namespace
}  // namespace pxed

#include "core/timer_queue.h"

#include <gtest/gtest.h>

namespace pxed {
namespace {

using namespace std::chrono_literals;
const TimerQueue::Clock::time_point t0{std::chrono::hours(1)};

TEST(TimerQueue, PopsDueIdsEarliestFirst) {
  TimerQueue q;
  EXPECT_FALSE(q.next());
  q.set(1, t0 + 3s);
  q.set(2, t0 + 1s);
  q.set(3, t0 + 2s);
  EXPECT_EQ(q.next(), t0 + 1s);
  EXPECT_TRUE(q.pop_due(t0).empty());
  EXPECT_EQ(q.pop_due(t0 + 2s), (std::vector<TimerQueue::Id>{2, 3}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.next(), t0 + 3s);
}

TEST(TimerQueue, SetMovesAndCancelRemoves) {
  TimerQueue q;
  q.set(1, t0 + 1s);
  q.set(2, t0 + 2s);
  q.set(1, t0 + 5s);  // moved later
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop_due(t0 + 2s), (std::vector<TimerQueue::Id>{2}));
  q.cancel(1);
  q.cancel(42);  // unknown: nothing happens
  EXPECT_EQ(q.size(), 0u);
  EXPECT_TRUE(q.pop_due(t0 + 10s).empty());
}

TEST(TimerQueue, SameDeadlineForMany) {
  TimerQueue q;
  for (TimerQueue::Id i = 0; i < 1000; ++i) q.set(i, t0);
  EXPECT_EQ(q.pop_due(t0).size(), 1000u);
}

}  // namespace
}  // namespace pxed

// Many deadlines behind one timer: the TFTP server keeps every transfer's retransmission
// deadline here and arms a single steady_timer for the earliest one (h2o keeps its timers the
// same way, in one structure). Pure: time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pxed {

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = std::uint64_t;

  // Sets the deadline of `id`, replacing the one it had.
  void set(Id id, Clock::time_point when);
  void cancel(Id id);
  // The earliest deadline, if any.
  std::optional<Clock::time_point> next() const;
  // Takes out every id whose deadline is at or before `now`, earliest first.
  std::vector<Id> pop_due(Clock::time_point now);
  std::size_t size() const { return deadline_.size(); }

 private:
  std::set<std::pair<Clock::time_point, Id>> order_;
  std::unordered_map<Id, Clock::time_point> deadline_;
};

}  // namespace pxed

#include "core/timer_queue.h"

namespace pxed {

void TimerQueue::set(Id id, Clock::time_point when) {
  auto [it, inserted] = deadline_.try_emplace(id, when);
  if (!inserted) {
    order_.erase({it->second, id});
    it->second = when;
  }
  order_.emplace(when, id);
}

void TimerQueue::cancel(Id id) {
  auto it = deadline_.find(id);
  if (it == deadline_.end()) return;
  order_.erase({it->second, id});
  deadline_.erase(it);
}

std::optional<TimerQueue::Clock::time_point> TimerQueue::next() const {
  if (order_.empty()) return std::nullopt;
  return order_.begin()->first;
}

std::vector<TimerQueue::Id> TimerQueue::pop_due(Clock::time_point now) {
  std::vector<Id> due;
  while (!order_.empty() && order_.begin()->first <= now) {
    Id id = order_.begin()->second;
    order_.erase(order_.begin());
    deadline_.erase(id);
    due.push_back(id);
  }
  return due;
}

}  // namespace pxed

#include "timeline/event_log.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace pxed::timeline {

namespace {

// Progress order of stages; `other` is below every stage of a boot.
int rank(Stage s) {
  return s == Stage::other ? -1 : static_cast<int>(s);
}

bool is_boot_start(const Event& e) {
  return e.protocol == Protocol::dhcp &&
         (e.stage == Stage::dhcp_discover || e.stage == Stage::dhcp_offer);
}

bool from_ipxe(const Event& e) {
  auto it = e.details.find("client");
  return it != e.details.end() && it->second == "ipxe";
}

bool matches(const Event& e, const Filter& f) {
  if (e.id <= f.after_id) return false;
  if (f.mac && e.mac != *f.mac) return false;
  if (f.since_ms && e.at_ms < *f.since_ms) return false;
  if (f.until_ms && e.at_ms >= *f.until_ms) return false;
  return true;
}

}  // namespace

nlohmann::json to_json(const MachineSummary& m) {
  return nlohmann::json{
      {"mac", m.mac.to_string()},
      {"ip", m.ip.is_zero() ? nlohmann::json(nullptr) : nlohmann::json(m.ip.to_string())},
      {"first_seen", format_time_ms(m.first_seen_ms)},
      {"last_seen", format_time_ms(m.last_seen_ms)},
      {"boots", m.boots},
      {"boot_started", format_time_ms(m.boot_started_ms)},
      {"stage", std::string(to_string(m.stage))},
      {"last_outcome", std::string(to_string(m.last_outcome))},
      {"last_summary", m.last_summary},
      {"last_event_id", m.last_event_id},
      {"completed", m.completed},
  };
}

EventLog::EventLog(EventLogConfig config) : config_(config) {
  if (config_.capacity == 0) config_.capacity = 1;
  if (config_.max_machines == 0) config_.max_machines = 1;
}

Event EventLog::record(Event event) {
  std::vector<std::shared_ptr<const Subscriber>> subscribers;
  {
    std::lock_guard lock(mutex_);
    event.id = next_id_++;
    store(event);
    subscribers.reserve(subscribers_.size());
    for (const auto& [token, s] : subscribers_) subscribers.push_back(s);
  }
  std::uint64_t errors = 0;
  for (const auto& s : subscribers) {
    try {
      (*s)(event);
    } catch (...) {
      ++errors;
    }
  }
  if (errors) {
    std::lock_guard lock(mutex_);
    subscriber_errors_ += errors;
  }
  return event;
}

void EventLog::restore(const std::vector<Event>& events) {
  std::vector<Event> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Event& a, const Event& b) { return a.id < b.id; });
  std::lock_guard lock(mutex_);
  for (const Event& e : sorted) {
    if (!ring_.empty() && e.id <= ring_.back().id) continue;  // keeps the ring in id order
    store(e);
    next_id_ = std::max(next_id_, e.id + 1);
  }
}

void EventLog::store(Event event) {
  update_machine(event);
  ring_.push_back(std::move(event));
  while (ring_.size() > config_.capacity) ring_.pop_front();
}

void EventLog::update_machine(const Event& e) {
  if (e.mac == MacAddress()) return;
  auto it = machines_.find(e.mac);
  if (it == machines_.end()) {
    if (machines_.size() >= config_.max_machines) {
      auto oldest = std::min_element(machines_.begin(), machines_.end(), [](auto& a, auto& b) {
        return a.second.last_seen_ms < b.second.last_seen_ms;
      });
      machines_.erase(oldest);
    }
    MachineSummary m;
    m.mac = e.mac;
    m.first_seen_ms = m.last_seen_ms = m.boot_started_ms = e.at_ms;
    m.boots = 1;
    it = machines_.emplace(e.mac, m).first;
  } else if (is_boot_start(e)) {
    MachineSummary& m = it->second;
    bool gap = e.at_ms - m.last_seen_ms > config_.boot_gap_ms;
    bool past_kernel = rank(m.stage) >= rank(Stage::kernel);
    bool firmware_again = !from_ipxe(e) && rank(m.stage) >= rank(Stage::loader);
    if (gap || past_kernel || firmware_again) {
      ++m.boots;
      m.boot_started_ms = e.at_ms;
      m.stage = Stage::other;
      m.completed = false;
    }
  }
  MachineSummary& m = it->second;
  if (is_progress(e.stage) && e.outcome != Outcome::failed) {
    bool counts = e.stage != Stage::os_dhcp || rank(m.stage) >= rank(Stage::kernel);
    if (counts && rank(e.stage) > rank(m.stage)) m.stage = e.stage;
  }
  m.completed = rank(m.stage) >= rank(Stage::rootfs);
  if (!e.ip.is_zero()) m.ip = e.ip;
  m.first_seen_ms = std::min(m.first_seen_ms, e.at_ms);
  m.last_seen_ms = std::max(m.last_seen_ms, e.at_ms);
  m.last_outcome = e.outcome;
  m.last_summary = e.summary;
  m.last_event_id = e.id;
}

std::vector<Event> EventLog::query(const Filter& filter) const {
  std::vector<Event> out;
  std::lock_guard lock(mutex_);
  // Ids increase along the ring: skip straight past after_id, then walk back from the newest.
  auto begin = std::upper_bound(ring_.begin(), ring_.end(), filter.after_id,
                                [](std::int64_t id, const Event& e) { return id < e.id; });
  for (auto it = ring_.end(); it != begin;) {
    --it;
    if (!matches(*it, filter)) continue;
    out.push_back(*it);
    if (filter.limit && out.size() >= filter.limit) break;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<MachineSummary> EventLog::machines() const {
  std::lock_guard lock(mutex_);
  std::vector<MachineSummary> out;
  out.reserve(machines_.size());
  for (const auto& [mac, m] : machines_) out.push_back(m);
  return out;
}

std::optional<MachineSummary> EventLog::machine(const MacAddress& mac) const {
  std::lock_guard lock(mutex_);
  auto it = machines_.find(mac);
  if (it == machines_.end()) return std::nullopt;
  return it->second;
}

EventLog::Token EventLog::subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  Token t = next_token_++;
  subscribers_.emplace(t, std::make_shared<const Subscriber>(std::move(subscriber)));
  return t;
}

void EventLog::unsubscribe(Token token) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(token);
}

std::size_t EventLog::size() const {
  std::lock_guard lock(mutex_);
  return ring_.size();
}

std::int64_t EventLog::last_id() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

std::uint64_t EventLog::subscriber_errors() const {
  std::lock_guard lock(mutex_);
  return subscriber_errors_;
}

}  // namespace pxed::timeline

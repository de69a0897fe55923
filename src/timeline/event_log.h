// The boot timeline in memory: the most recent events of every machine in a bounded ring, a
// summary per MAC of where its latest boot got to, and live delivery of new events to
// subscribers (server-sent events). Thread-safe: DHCP, TFTP and HTTP threads record into it at
// once. No clocks: each event carries its time.
//
// Boots. A machine's events are cut into boots. A *boot start* is a DHCP event of a booting
// firmware's DISCOVER (stage dhcp_discover or dhcp_offer). It starts a new boot when
//   - the machine was silent for more than `boot_gap_ms` before it, or
//   - the current boot already reached the kernel (or a later stage), or
//   - it is not from iPXE (details "client" != "ipxe") and the current boot already reached the
//     loader: the firmware started over. (iPXE's own DISCOVER after ipxe.efi or undionly.kpxe was
//     loaded is the same boot going on.)
// The stage of a boot is the furthest stage among its events that did not fail (`other` never
// counts; os_dhcp counts only once the boot reached the kernel, so a machine that only ever does
// plain DHCP shows no stage). A boot is *completed* once it reached rootfs or os_dhcp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "timeline/event.h"

namespace pxed::timeline {

struct EventLogConfig {
  std::size_t capacity = 10000;        // events kept; the oldest go first
  std::size_t max_machines = 4096;     // machine summaries kept; the least recently seen go first
  std::int64_t boot_gap_ms = 120'000;  // silence after which a DISCOVER is a new boot
};

struct Filter {
  std::optional<MacAddress> mac{};
  std::optional<std::int64_t> since_ms{};  // at_ms >= since_ms
  std::optional<std::int64_t> until_ms{};  // at_ms < until_ms
  std::int64_t after_id = 0;               // id > after_id (for paging and catching up)
  std::size_t limit = 1000;                // the newest `limit` that match; 0 = no limit
};

struct MachineSummary {
  MacAddress mac;
  Ipv4 ip;  // the latest non-zero address seen
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::size_t boots = 0;             // boots seen since first seen
  std::int64_t boot_started_ms = 0;  // the latest boot's first event
  Stage stage = Stage::other;        // furthest stage of the latest boot; other if none
  Outcome last_outcome = Outcome::info;
  std::string last_summary;
  std::int64_t last_event_id = 0;
  bool completed = false;  // the latest boot reached rootfs or os_dhcp

  bool operator==(const MachineSummary&) const = default;
};

nlohmann::json to_json(const MachineSummary& machine);

class EventLog {
 public:
  using Subscriber = std::function<void(const Event&)>;
  using Token = std::uint64_t;

  explicit EventLog(EventLogConfig config = {});
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Stores the event with the next id (its own id is ignored), updates its machine's summary and
  // hands it to every subscriber, outside the lock, on the calling thread. Returns it as stored.
  Event record(Event event);

  // Puts back events loaded from the database at start, oldest first, keeping their ids; later
  // ids follow the highest. Call it before record(); an event whose id is not above every id
  // already held is skipped. Subscribers are not called.
  void restore(const std::vector<Event>& events);

  // Matching events, oldest first (newest last).
  std::vector<Event> query(const Filter& filter) const;

  std::vector<MachineSummary> machines() const;  // by MAC
  std::optional<MachineSummary> machine(const MacAddress& mac) const;

  // A subscriber may be called from any recording thread, several at once, and slightly out of
  // id order when threads race. A call that another thread had already begun to make may still
  // happen after unsubscribe() returns, so what a subscriber touches must outlive that (hold it
  // by shared_ptr). A subscriber that throws is counted and otherwise ignored.
  Token subscribe(Subscriber subscriber);
  void unsubscribe(Token token);

  std::size_t size() const;
  std::int64_t last_id() const;
  std::uint64_t subscriber_errors() const;

 private:
  void store(Event event);                  // under mutex_
  void update_machine(const Event& event);  // under mutex_

  EventLogConfig config_;
  mutable std::mutex mutex_;
  std::deque<Event> ring_;
  std::int64_t next_id_ = 1;
  std::map<MacAddress, MachineSummary> machines_;
  std::map<Token, std::shared_ptr<const Subscriber>> subscribers_;
  Token next_token_ = 1;
  std::uint64_t subscriber_errors_ = 0;
};

}  // namespace pxed::timeline

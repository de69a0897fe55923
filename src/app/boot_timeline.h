// The daemon's boot timeline: turns what DHCP, TFTP and HTTP report into timeline events per
// machine (timeline/event.h), keeps them in memory (timeline/event_log.h) and in the lease
// database (timeline/sqlite_events.h, written off the service threads), and loads the recent
// ones back at start. TFTP and HTTP report client addresses; the machine is the MAC DHCP gave
// that address to (boot::Sightings).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "boot/sightings.h"
#include "dhcp/responder.h"
#include "http/request_record.h"
#include "tftp/transfer_record.h"
#include "timeline/event_log.h"
#include "timeline/event_writer.h"
#include "timeline/sqlite_events.h"

namespace pxed::app {

struct TimelineLimits {
  std::size_t in_memory = 10000;                    // events kept in memory
  std::int64_t keep_ms = 7LL * 24 * 3600 * 1000;    // events older than this leave the database
  std::size_t keep_rows = 200000;                   // and beyond this many, the oldest
};

class BootTimeline {
 public:
  // Throws std::runtime_error naming the database if it cannot be opened.
  BootTimeline(const std::string& db_path, const boot::Sightings& sightings,
               TimelineLimits limits = {});
  ~BootTimeline();
  BootTimeline(const BootTimeline&) = delete;
  BootTimeline& operator=(const BootTimeline&) = delete;

  // From the services' threads.
  void dhcp(const dhcp::Exchange& exchange, bool proxy);
  void tftp(const tftp::TransferRecord& record);
  void http(const http::RequestRecord& record);
  // Applies the retention limits to the database (on the writer's thread).
  void prune();

  const timeline::EventLog& log() const { return log_; }
  timeline::EventLog& log() { return log_; }
  // Events loaded from the database at start (the daemon says so once it is ready).
  std::size_t restored() const { return restored_; }

 private:
  MacAddress mac_of(Ipv4 ip) const;

  const boot::Sightings& sightings_;
  TimelineLimits limits_;
  timeline::EventLog log_;
  std::size_t restored_ = 0;
  std::unique_ptr<timeline::SqliteEvents> db_;
  std::unique_ptr<timeline::EventWriter> writer_;
  timeline::EventLog::Token subscription_{};
};

}  // namespace pxed::app

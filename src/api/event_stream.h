// GET /api/v1/events/stream: the boot timeline live, as server-sent events (the dashboard's
// live view, `curl -N`). Every new event is sent as
//
//   id: 42
//   event: boot
//   data: {...the event's JSON, as in /api/v1/events...}
//
// followed by its machine's summary after it ("event: machine", data as in /api/v1/machines;
// no id, so it does not move the client's Last-Event-ID). With ?after=ID, or the Last-Event-ID
// header an EventSource sends when it reconnects, the events after that id that are still in
// memory (at most `backlog`) come first, then the live ones, with none lost or repeated in
// between. ?mac=M keeps one machine's events. A comment line is sent every `keepalive` when
// nothing else was. At most `max_streams` are open at once; more get 503.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/net_types.h"
#include "http/router.h"
#include "timeline/event_log.h"

namespace pxed::api {

struct EventStreamLimits {
  std::size_t max_streams = 32;
  std::size_t backlog = 1000;  // events replayed at most when asked for (after / Last-Event-ID)
  std::chrono::seconds keepalive{15};
  std::size_t max_pending = 1024 * 1024;  // bytes waiting for a slow client before it is cut off
};

// Which events a stream carries.
struct StreamRequest {
  std::optional<MacAddress> mac;
  std::optional<std::int64_t> after_id;  // replay from here; none: only new events
};

class EventStreams {
 public:
  // `log` must outlive every stream (the HTTP server stops before it goes).
  explicit EventStreams(timeline::EventLog& log, EventStreamLimits limits = {});

  // The streamed answer (or 503 when max_streams are open). Thread-safe.
  http::ResponsePlan open(const StreamRequest& what, const http::Request& request);

  std::size_t open_streams() const { return open_->load(); }

 private:
  timeline::EventLog& log_;
  EventStreamLimits limits_;
  std::shared_ptr<std::atomic<std::size_t>> open_ = std::make_shared<std::atomic<std::size_t>>(0);
};

// One event and one machine summary in the stream's text form (pure).
std::string sse_event(const timeline::Event& event);
std::string sse_machine(const timeline::MachineSummary& machine);

}  // namespace pxed::api

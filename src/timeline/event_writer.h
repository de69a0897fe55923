// Writes timeline events to the database on its own thread, so no packet loop ever waits on the
// disk: enqueue() only takes a mutex that the writer holds for a moment to take a batch out.
// The queue is bounded; when it is full the event is dropped and counted (the in-memory
// EventLog still has it). Each batch is one transaction. Wiring:
//   log.subscribe([&writer](const Event& e) { writer.enqueue(e); });
// and, on a timer, writer.prune(now_ms, max_age_ms, max_rows).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "timeline/sqlite_events.h"

namespace pxed::timeline {

struct WriterStats {
  std::uint64_t queued = 0;   // accepted by enqueue()
  std::uint64_t written = 0;  // stored by the sink
  std::uint64_t dropped = 0;  // refused by enqueue(): the queue was full
  std::uint64_t failed = 0;   // lost in a batch the sink refused
  std::uint64_t pruned = 0;   // rows removed by prune requests
};

class EventWriter {
 public:
  // Called on the writer thread when a batch or a prune fails (the daemon logs it).
  using ErrorCallback = std::function<void(const std::string& error)>;

  // `sink` must outlive the writer.
  explicit EventWriter(EventSink& sink, std::size_t queue_limit = 10000,
                       std::size_t max_batch = 1000, ErrorCallback on_error = {});
  ~EventWriter();  // writes what is queued, then stops
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // Never blocks on the disk. False: the queue was full and the event was dropped.
  bool enqueue(Event event);

  // Asks the writer thread to prune (see EventSink::prune) after what is queued now. A request
  // not yet carried out is replaced by the newer one.
  void prune(std::int64_t now_ms, std::int64_t max_age_ms, std::size_t max_rows);

  // Waits until every event accepted before the call was written or failed, and a pending prune
  // was done. False if that took longer than `timeout`. For shutdown and tests.
  bool flush(std::chrono::milliseconds timeout);

  WriterStats stats() const;

 private:
  struct PruneRequest {
    std::int64_t now_ms;
    std::int64_t max_age_ms;
    std::size_t max_rows;
  };
  void run();

  EventSink& sink_;
  std::size_t queue_limit_;
  std::size_t max_batch_;
  ErrorCallback on_error_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the writer: work or stop
  std::condition_variable done_;  // flush(): progress
  std::deque<Event> queue_;
  std::optional<PruneRequest> prune_;
  std::uint64_t prunes_asked_ = 0, prunes_done_ = 0;
  std::uint64_t finished_ = 0;  // events written or failed
  WriterStats stats_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace pxed::timeline

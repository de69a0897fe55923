#include "api/event_stream.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxed::api {
namespace {

// What one stream's subscriber and its start share. Until `live`, new events wait in `early`
// while the backlog is read, so that none falls between the two.
struct StreamState {
  std::mutex mutex;
  bool live = false;
  std::vector<timeline::Event> early;
  std::shared_ptr<http::StreamChannel> channel;
};

// Holds a place among the open streams for as long as the plan lives (the connection keeps it
// until it closes), whether the stream ever started or not.
class Slot {
 public:
  explicit Slot(std::shared_ptr<std::atomic<std::size_t>> open) : open_(std::move(open)) {}
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() { open_->fetch_sub(1); }

 private:
  std::shared_ptr<std::atomic<std::size_t>> open_;
};

void send(StreamState& st, timeline::EventLog& log, const timeline::Event& e) {
  st.channel->push(sse_event(e));
  if (auto m = log.machine(e.mac)) st.channel->push(sse_machine(*m));
}

}  // namespace

std::string sse_event(const timeline::Event& event) {
  // dump() escapes control characters, so the JSON is one line, as a data: field must be.
  return fmt::format("id: {}\nevent: boot\ndata: {}\n\n", event.id, timeline::to_json(event).dump());
}

std::string sse_machine(const timeline::MachineSummary& machine) {
  return fmt::format("event: machine\ndata: {}\n\n", timeline::to_json(machine).dump());
}

EventStreams::EventStreams(timeline::EventLog& log, EventStreamLimits limits)
    : log_(log), limits_(limits) {}

http::ResponsePlan EventStreams::open(const StreamRequest& what, const http::Request& request) {
  http::ResponsePlan plan;
  plan.keep_alive = false;
  if (open_->fetch_add(1) >= limits_.max_streams) {
    open_->fetch_sub(1);
    plan.status = 503;
    plan.body = nlohmann::json{{"error", fmt::format("already {} event streams open (the limit)",
                                                     limits_.max_streams)}}
                    .dump(2) +
                "\n";
    plan.headers = {{"Content-Type", "application/json"},
                    {"Content-Length", std::to_string(plan.body.size())},
                    {"Retry-After", "10"},
                    {"Connection", "close"}};
    if (request.method == "HEAD") plan.body.clear();
    return plan;
  }
  auto slot = std::make_shared<Slot>(open_);
  plan.status = 200;
  plan.headers = {{"Content-Type", "text/event-stream"},
                  {"Cache-Control", "no-store"},
                  {"X-Accel-Buffering", "no"},  // for a proxy in front: pass events at once
                  {"Connection", "close"}};
  auto stream = std::make_shared<http::StreamPlan>();
  stream->keepalive_text = ": keep-alive\n\n";
  stream->keepalive_every = limits_.keepalive;
  stream->max_pending = limits_.max_pending;
  timeline::EventLog* log = &log_;
  const std::size_t backlog = limits_.backlog;
  stream->start = [log, what, backlog, slot](std::shared_ptr<http::StreamChannel> channel) {
    auto st = std::make_shared<StreamState>();
    st->channel = channel;
    channel->push("retry: 3000\n\n");  // reconnect after 3 s; also puts the head on the wire
    const auto token = log->subscribe([st, log, mac = what.mac](const timeline::Event& e) {
      if (mac && e.mac != *mac) return;
      std::lock_guard lock(st->mutex);
      if (!st->live) {
        st->early.push_back(e);
        return;
      }
      send(*st, *log, e);
    });
    // Ids are given as events are stored, and an event is stored before its subscribers hear
    // of it: what the query below misses has a higher id than all it returns.
    std::int64_t replayed_up_to = what.after_id.value_or(0);
    std::vector<timeline::Event> replay;
    if (what.after_id) {
      timeline::Filter f;
      f.mac = what.mac;
      f.after_id = *what.after_id;
      f.limit = backlog;
      replay = log->query(f);
      if (!replay.empty()) replayed_up_to = std::max(replayed_up_to, replay.back().id);
    }
    {
      std::lock_guard lock(st->mutex);
      for (const auto& e : replay) channel->push(sse_event(e));
      std::sort(st->early.begin(), st->early.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
      // Events recorded while the backlog was read: those it did not hold.
      for (const auto& e : st->early) {
        if (e.id > replayed_up_to) send(*st, *log, e);
      }
      st->early.clear();
      st->live = true;
    }
    return std::function<void()>([log, token] { log->unsubscribe(token); });
  };
  plan.stream = std::move(stream);
  return plan;
}

}  // namespace pxed::api

#include "tftp/admission.h"

#include <algorithm>

#include <fmt/format.h>

namespace pxed::tftp {

std::optional<std::string> Admission::limit_for(Ipv4 client) const {
  if (running_ >= limits_.max_all) {
    return fmt::format("{} transfers running (max-transfers)", running_);
  }
  if (auto c = per_client_.find(client);
      c != per_client_.end() && c->second >= limits_.max_per_client) {
    return fmt::format("{} transfers running for this client (max-transfers-per-client)",
                       c->second);
  }
  return std::nullopt;
}

void Admission::take(Ipv4 client) {
  ++running_;
  ++per_client_[client];
}

Admission::Decision Admission::request(Waiting request, Clock::time_point now, bool may_wait) {
  drop_stale(now);
  const Ipv4 client = request.client;
  // Already in line from this port: the client asked again (or asked for another file).
  if (auto line = lines_.find(client); may_wait && line != lines_.end()) {
    for (Entry& e : line->second) {
      if (e.request.port == request.port) {
        e.request = std::move(request);
        e.last_seen = now;
        return {Verdict::refreshed, limit_for(client).value_or("waiting for a slot"), waiting_};
      }
    }
  }
  // A free slot while others wait means they wait for their own client's transfers to end
  // (max-transfers-per-client): this request takes nothing from them.
  std::optional<std::string> why = limit_for(client);
  if (!why) {
    take(client);
    return {Verdict::admitted, {}, 0};
  }
  if (!may_wait) return {Verdict::refused, *why, 0};
  if (waiting_ >= limits_.max_waiting) {
    return {Verdict::refused, *why + fmt::format("; {} requests waiting already", waiting_), 0};
  }
  auto& line = lines_[client];
  if (line.empty()) turns_.push_back(client);
  line.push_back(Entry{std::move(request), now});
  ++waiting_;
  return {Verdict::queued, *why, waiting_};
}

std::optional<Admission::Waiting> Admission::release(Ipv4 client, Clock::time_point now) {
  if (auto c = per_client_.find(client); c != per_client_.end()) {
    --running_;
    if (--c->second == 0) per_client_.erase(c);
  }
  drop_stale(now);
  // The clients take turns: the first in turn that may start now goes, and moves to the back.
  for (std::size_t turn = 0; turn < turns_.size(); ++turn) {
    const Ipv4 next = turns_[turn];
    if (limit_for(next)) continue;
    auto line = lines_.find(next);
    Waiting w = std::move(line->second.front().request);
    line->second.pop_front();
    --waiting_;
    turns_.erase(turns_.begin() + static_cast<std::ptrdiff_t>(turn));
    if (line->second.empty()) {
      lines_.erase(line);
    } else {
      turns_.push_back(next);
    }
    take(next);
    return w;
  }
  return std::nullopt;
}

void Admission::drop_stale(Clock::time_point now) {
  if (waiting_ == 0) return;
  for (auto line = lines_.begin(); line != lines_.end();) {
    auto& entries = line->second;
    const std::size_t before = entries.size();
    std::erase_if(entries, [&](const Entry& e) { return now - e.last_seen > limits_.patience; });
    waiting_ -= before - entries.size();
    if (entries.empty()) {
      const Ipv4 gone = line->first;
      std::erase(turns_, gone);
      line = lines_.erase(line);
    } else {
      ++line;
    }
  }
}

}  // namespace pxed::tftp

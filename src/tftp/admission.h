// Who may start a transfer now. At most `max_all` transfers run at once, and at most
// `max_per_client` for one client address. A request over a limit waits in line instead of
// being turned away, and each slot that frees goes to the next one: the clients take turns
// (round robin over client addresses), each client's requests in the order they came. So when
// the limits bite, no client is starved by others that happen to retransmit sooner, and one
// machine with many requests cannot crowd out the rest.
//
// A waiting request is forgotten once its client has been silent for `patience` (PXE firmware
// resends an unanswered request every few seconds; one that stopped has given up). The same
// request again from the same client port keeps its place.
//
// Pure: time is passed in, no locking (the server holds a mutex around it).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::tftp {

class Admission {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::size_t max_all = 2000;
    std::size_t max_per_client = 16;
    std::size_t max_waiting = 4096;  // requests in line at most (all clients)
    Clock::duration patience = std::chrono::seconds(10);
  };

  // A request that waits for a slot.
  struct Waiting {
    Ipv4 client;
    std::uint16_t port = 0;
    Bytes request;         // the datagram as it came
    std::size_t loop = 0;  // the event loop that handles this client port
  };

  enum class Verdict {
    admitted,   // a slot is taken for it: call release() when its transfer ends
    queued,     // in line
    refreshed,  // it was in line already (a retransmission): same place, request replaced
    refused,    // the line is full: dropped
  };
  struct Decision {
    Verdict verdict;
    std::string why;          // which limit holds it back (not for admitted)
    std::size_t waiting = 0;  // queued, refreshed: requests in line now, this one included
  };

  explicit Admission(Limits limits) : limits_(limits) {}

  // `may_wait` false: over a limit the request is refused rather than queued.
  Decision request(Waiting request, Clock::time_point now, bool may_wait = true);
  // A transfer of `client` ended (or an admitted request was not served after all): its slot
  // goes back, and straight on to the next waiting request if one may start now, which is
  // returned with the slot already taken for it.
  std::optional<Waiting> release(Ipv4 client, Clock::time_point now);

  std::size_t running() const { return running_; }
  std::size_t waiting() const { return waiting_; }

 private:
  struct Entry {
    Waiting request;
    Clock::time_point last_seen;
  };
  std::optional<std::string> limit_for(Ipv4 client) const;
  void take(Ipv4 client);
  void drop_stale(Clock::time_point now);

  Limits limits_;
  std::size_t running_ = 0;
  std::map<Ipv4, std::size_t> per_client_;   // running, only clients with one
  std::map<Ipv4, std::deque<Entry>> lines_;  // waiting, per client, oldest first
  std::deque<Ipv4> turns_;                   // clients with requests waiting, in turn
  std::size_t waiting_ = 0;
};

}  // namespace pxed::tftp

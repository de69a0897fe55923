// The state machine of one TFTP read transfer. Pure: no sockets, no clock, no file. The
// caller feeds it events (a packet from the client, a timer that fired) with the current time
// and gets back a Step: what to send, when to call on_timeout() next, and whether it is over.
// File data never passes through here: a SendData says "DATA block N holds `length` bytes from
// `offset`" and the I/O layer reads them (pread) behind the header.
//
// Blocks are counted internally with 64-bit sequence numbers (1, 2, ...); on the wire the block
// number is the low 16 bits, so it rolls over from 65535 to 0 and files of any size work.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "tftp/negotiation.h"
#include "tftp/packet.h"

namespace pxed::tftp {

using Clock = std::chrono::steady_clock;

enum class Outcome {
  completed,              // the client acknowledged the last block
  timed_out,              // no progress after `retries` retransmissions
  aborted_by_client,      // the client sent an ERROR
  aborted_after_options,  // ERROR 8 in answer to our OACK: a size probe (edk2 reads tsize)
  read_failed,            // the I/O layer could not read the file (abort())
  cut,                    // the server stopped or replaced the transfer (abort())
};

std::string_view to_string(Outcome outcome);

struct SendBytes {  // a ready packet (OACK)
  Bytes packet;
};
struct SendData {            // a DATA packet the I/O layer fills from the file
  std::uint16_t block = 0;   // wire block number
  std::uint64_t offset = 0;  // where its payload starts in the file
  std::size_t length = 0;    // payload length: blksize, less for the last block (maybe 0)
};
using Transmit = std::variant<SendBytes, SendData>;

struct Step {
  std::vector<Transmit> transmits;            // in order
  std::optional<Clock::time_point> deadline;  // call on_timeout() then; nullopt once finished
  std::optional<Outcome> outcome;             // set once the transfer is over
};

struct SessionStats {
  std::uint64_t file_size = 0;
  std::uint64_t bytes_acked = 0;  // payload the client has acknowledged
  std::uint64_t blocks_acked = 0;
  std::uint64_t data_packets = 0;           // DATA packets sent, retransmissions included
  std::uint64_t retransmits = 0;            // DATA and OACK packets sent more than once
  std::optional<ErrorPacket> client_error;  // the ERROR that ended it, if any
};

class Session {
 public:
  Session(std::uint64_t file_size, TransferParams params);

  // First transmission: the OACK if options were granted, otherwise the first window of DATA.
  Step start(Clock::time_point now);
  // A packet from the client's TID. ACKs advance the window; duplicate and old ACKs are ignored
  // (never answered with a resend: no Sorcerer's Apprentice); an ERROR ends the transfer.
  Step on_packet(const Packet& packet, Clock::time_point now);
  // The timer fired. Early calls (before the deadline) change nothing; late ones resend what
  // is unacknowledged, or give up once the retries are spent. Each retransmission waits twice
  // as long as the one before (params.backoff), and progress brings the wait back down.
  Step on_timeout(Clock::time_point now);
  // Ends the transfer for a local reason (read_failed, cut).
  Step abort(Outcome why);

  bool finished() const { return outcome_.has_value(); }
  std::optional<Outcome> outcome() const { return outcome_; }
  // True once the client has acknowledged anything (the OACK or a block).
  bool progressed() const { return progressed_; }
  // True while the client owes us an ACK past the first timeout (we are retransmitting).
  bool stalled() const { return retries_used_ > 0 && !outcome_; }
  const SessionStats& stats() const { return stats_; }
  const TransferParams& params() const { return params_; }
  std::uint64_t total_blocks() const { return total_blocks_; }

 private:
  enum class Phase { idle, awaiting_oack_ack, transferring, done };

  Step on_ack(std::uint16_t block, Clock::time_point now);
  Step finish(Outcome outcome);
  Step waiting() const;
  void send_window(std::uint64_t first, Step& step);
  SendData data_for(std::uint64_t seq) const;

  TransferParams params_;
  Bytes oack_;
  std::uint64_t total_blocks_;
  Phase phase_ = Phase::idle;
  std::uint64_t acked_ = 0;       // highest block acknowledged in order
  std::uint64_t window_end_ = 0;  // last block of the window in flight
  std::uint64_t highest_sent_ = 0;
  int retries_used_ = 0;
  Clock::duration wait_;  // the current retransmission timeout
  bool progressed_ = false;
  Clock::time_point deadline_{};
  std::optional<Outcome> outcome_;
  SessionStats stats_;
};

}  // namespace pxed::tftp

// The state machine of one TFTP write transfer (WRQ, an upload), the mirror of Session. Pure: the
// caller feeds it the client's packets and timer events with the current time, and gets back
// what to send, what to write where, and when to call on_timeout() next. Lock-step (RFC 1350):
// every DATA block is acknowledged; a repeated block is acknowledged again (our ACK was lost)
// and not written twice. An upload larger than the limit is stopped with ERROR 3.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "tftp/session.h"

namespace pxed::tftp {

enum class UploadOutcome {
  completed,          // the last (short) block arrived and was acknowledged
  timed_out,          // no new block after `retries` retransmissions of our last ACK
  aborted_by_client,  // the client sent an ERROR
  too_large,          // over the size limit: ERROR 3 sent
  write_failed,       // the I/O layer could not store a block (abort())
  cut,                // the server stopped (abort())
};
std::string_view to_string(UploadOutcome outcome);

struct ReceiveStep {
  std::optional<Bytes> send;  // an ACK, the OACK, or an ERROR
  struct Write {
    std::uint64_t offset;
    ByteView data;  // valid until the next call
  };
  std::optional<Write> write;  // store this before sending `send`
  std::optional<Clock::time_point> deadline;
  std::optional<UploadOutcome> outcome;
};

class ReceiveSession {
 public:
  ReceiveSession(TransferParams params, std::uint64_t max_size);

  ReceiveStep start(Clock::time_point now);
  ReceiveStep on_packet(const Packet& packet, Clock::time_point now);
  ReceiveStep on_timeout(Clock::time_point now);
  ReceiveStep abort(UploadOutcome why);

  bool finished() const { return outcome_.has_value(); }
  std::uint64_t received() const { return received_; }
  const TransferParams& params() const { return params_; }
  const std::optional<ErrorPacket>& client_error() const { return client_error_; }

 private:
  ReceiveStep finish(UploadOutcome outcome, std::optional<Bytes> send = std::nullopt);
  ReceiveStep waiting() const;

  TransferParams params_;
  std::uint64_t max_size_;
  Bytes last_sent_;           // OACK or the last ACK, resent on timeout
  std::uint64_t blocks_ = 0;  // blocks received in order
  std::uint64_t received_ = 0;
  int retries_used_ = 0;
  Clock::time_point deadline_{};
  Bytes block_;  // the payload of the block being written
  std::optional<ErrorPacket> client_error_;
  std::optional<UploadOutcome> outcome_;
};

}  // namespace pxed::tftp

#include "tftp/session.h"

#include <algorithm>

namespace pxed::tftp {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::completed:
      return "completed";
    case Outcome::timed_out:
      return "timed out";
    case Outcome::aborted_by_client:
      return "aborted by client";
    case Outcome::aborted_after_options:
      return "size probe ended by client after OACK";
    case Outcome::read_failed:
      return "read failed";
    case Outcome::cut:
      return "cut";
  }
  return "unknown";
}

Session::Session(std::uint64_t file_size, TransferParams params)
    : params_(std::move(params)),
      // The last block is always shorter than blksize: empty when the size is a multiple.
      total_blocks_(file_size / std::max<std::uint16_t>(params_.blksize, 1) + 1) {
  params_.blksize = std::max<std::uint16_t>(params_.blksize, 1);
  params_.windowsize = std::max<std::uint16_t>(params_.windowsize, 1);
  stats_.file_size = file_size;
  wait_ = params_.timeout;
  if (params_.send_oack()) oack_ = encode_oack(params_.accepted);
}

SendData Session::data_for(std::uint64_t seq) const {
  SendData d;
  d.block = static_cast<std::uint16_t>(seq & 0xffffu);
  d.offset = (seq - 1) * params_.blksize;
  d.length = static_cast<std::size_t>(std::min<std::uint64_t>(
      params_.blksize, stats_.file_size - std::min(d.offset, stats_.file_size)));
  return d;
}

void Session::send_window(std::uint64_t first, Step& step) {
  const std::uint64_t last = std::min(total_blocks_, first + params_.windowsize - 1);
  for (std::uint64_t seq = first; seq <= last; ++seq) {
    step.transmits.emplace_back(data_for(seq));
    ++stats_.data_packets;
    if (seq <= highest_sent_) ++stats_.retransmits;
  }
  highest_sent_ = std::max(highest_sent_, last);
  window_end_ = last;
}

Step Session::waiting() const {
  Step step;
  if (outcome_) {
    step.outcome = outcome_;
  } else {
    step.deadline = deadline_;
  }
  return step;
}

Step Session::finish(Outcome outcome) {
  if (!outcome_) {
    outcome_ = outcome;
    phase_ = Phase::done;
  }
  return waiting();
}

Step Session::start(Clock::time_point now) {
  if (phase_ != Phase::idle) return waiting();
  Step step;
  if (params_.send_oack()) {
    phase_ = Phase::awaiting_oack_ack;
    step.transmits.emplace_back(SendBytes{oack_});
  } else {
    phase_ = Phase::transferring;
    send_window(1, step);
  }
  deadline_ = now + wait_;
  step.deadline = deadline_;
  return step;
}

Step Session::on_packet(const Packet& packet, Clock::time_point now) {
  if (outcome_ || phase_ == Phase::idle) return waiting();
  if (const auto* error = std::get_if<ErrorPacket>(&packet)) {
    stats_.client_error = *error;
    const bool probe = phase_ == Phase::awaiting_oack_ack &&
                       error->code == static_cast<std::uint16_t>(ErrorCode::option_refused);
    return finish(probe ? Outcome::aborted_after_options : Outcome::aborted_by_client);
  }
  if (const auto* ack = std::get_if<AckPacket>(&packet)) return on_ack(ack->block, now);
  return waiting();  // DATA, OACK or a request on this TID: not ours to answer, ignore
}

Step Session::on_ack(std::uint16_t block, Clock::time_point now) {
  if (phase_ == Phase::awaiting_oack_ack) {
    if (block != 0) return waiting();
    phase_ = Phase::transferring;
  } else {
    // Which block in flight does this 16-bit number name? Distance from the last ACK, modulo
    // 2^16: 0 is a duplicate, beyond the window an old or stray ACK. Both are ignored.
    const auto distance = static_cast<std::uint16_t>(block - static_cast<std::uint16_t>(acked_));
    if (distance == 0 || distance > window_end_ - acked_) return waiting();
    acked_ += distance;
    stats_.blocks_acked = acked_;
    stats_.bytes_acked = std::min(acked_ * params_.blksize, stats_.file_size);
    if (acked_ == total_blocks_) {
      progressed_ = true;
      return finish(Outcome::completed);
    }
  }
  progressed_ = true;
  retries_used_ = 0;
  wait_ = params_.timeout;
  Step step;
  // RFC 7440: an ACK inside the window means the client missed what follows it; the next
  // window starts right after the acknowledged block either way.
  send_window(acked_ + 1, step);
  deadline_ = now + wait_;
  step.deadline = deadline_;
  return step;
}

Step Session::on_timeout(Clock::time_point now) {
  if (outcome_ || phase_ == Phase::idle) return waiting();
  if (now < deadline_) return waiting();
  if (retries_used_ >= params_.retries) return finish(Outcome::timed_out);
  ++retries_used_;
  Step step;
  if (phase_ == Phase::awaiting_oack_ack) {
    step.transmits.emplace_back(SendBytes{oack_});
    ++stats_.retransmits;
  } else {
    send_window(acked_ + 1, step);
  }
  if (params_.backoff) {
    wait_ = std::min<Clock::duration>(wait_ * 2, params_.timeout * kMaxBackoff);
  }
  deadline_ = now + wait_;
  step.deadline = deadline_;
  return step;
}

Step Session::abort(Outcome why) {
  return finish(why);
}

}  // namespace pxed::tftp

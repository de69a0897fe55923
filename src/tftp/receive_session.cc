#include "tftp/receive_session.h"

namespace pxed::tftp {

std::string_view to_string(UploadOutcome outcome) {
  switch (outcome) {
    case UploadOutcome::completed:
      return "completed";
    case UploadOutcome::timed_out:
      return "timed out";
    case UploadOutcome::aborted_by_client:
      return "aborted by client";
    case UploadOutcome::too_large:
      return "over the upload size limit";
    case UploadOutcome::write_failed:
      return "write failed";
    case UploadOutcome::cut:
      return "cut";
  }
  return "unknown";
}

ReceiveSession::ReceiveSession(TransferParams params, std::uint64_t max_size)
    : params_(std::move(params)), max_size_(max_size) {
  params_.blksize = std::max<std::uint16_t>(params_.blksize, 1);
}

ReceiveStep ReceiveSession::waiting() const {
  ReceiveStep s;
  if (!outcome_) s.deadline = deadline_;
  s.outcome = outcome_;
  return s;
}

ReceiveStep ReceiveSession::finish(UploadOutcome outcome, std::optional<Bytes> send) {
  ReceiveStep s;
  if (!outcome_) {
    outcome_ = outcome;
    s.send = std::move(send);
  }
  s.outcome = outcome_;
  return s;
}

ReceiveStep ReceiveSession::start(Clock::time_point now) {
  last_sent_ = params_.send_oack() ? encode_oack(params_.accepted) : encode_ack(0);
  deadline_ = now + params_.timeout;
  ReceiveStep s;
  s.send = last_sent_;
  s.deadline = deadline_;
  return s;
}

ReceiveStep ReceiveSession::on_packet(const Packet& packet, Clock::time_point now) {
  if (outcome_) return waiting();
  if (const auto* error = std::get_if<ErrorPacket>(&packet)) {
    client_error_ = *error;
    return finish(UploadOutcome::aborted_by_client);
  }
  const auto* data = std::get_if<DataPacket>(&packet);
  if (!data) return waiting();
  const auto expected = static_cast<std::uint16_t>((blocks_ + 1) & 0xffffu);
  if (data->block != expected) {
    // The block before: our ACK was lost, say it again. Anything else is stale or stray.
    if (data->block == static_cast<std::uint16_t>(blocks_ & 0xffffu) && blocks_ > 0) {
      ReceiveStep s;
      s.send = last_sent_;
      s.deadline = deadline_;
      return s;
    }
    return waiting();
  }
  if (data->payload.size() > params_.blksize) {
    return finish(UploadOutcome::aborted_by_client,
                  encode_error(ErrorCode::illegal_operation, "block larger than blksize"));
  }
  if (received_ + data->payload.size() > max_size_) {
    return finish(UploadOutcome::too_large,
                  encode_error(ErrorCode::disk_full, "upload exceeds the size limit"));
  }
  ReceiveStep s;
  block_ = data->payload;
  s.write = ReceiveStep::Write{received_, ByteView(block_)};
  received_ += data->payload.size();
  ++blocks_;
  retries_used_ = 0;
  last_sent_ = encode_ack(data->block);
  s.send = last_sent_;
  if (data->payload.size() < params_.blksize) {
    outcome_ = UploadOutcome::completed;
    s.outcome = outcome_;
    return s;
  }
  deadline_ = now + params_.timeout;
  s.deadline = deadline_;
  return s;
}

ReceiveStep ReceiveSession::on_timeout(Clock::time_point now) {
  if (outcome_) return waiting();
  if (now < deadline_) return waiting();
  if (retries_used_ >= params_.retries) return finish(UploadOutcome::timed_out);
  ++retries_used_;
  deadline_ = now + params_.timeout;
  ReceiveStep s;
  s.send = last_sent_;
  s.deadline = deadline_;
  return s;
}

ReceiveStep ReceiveSession::abort(UploadOutcome why) {
  std::optional<Bytes> send;
  if (why == UploadOutcome::write_failed) {
    send = encode_error(ErrorCode::disk_full, "cannot store the file");
  }
  return finish(why, std::move(send));
}

}  // namespace pxed::tftp

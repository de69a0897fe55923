#include "tftp/transfer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>

#include "tftp/transfer_log.h"

namespace pxed::tftp {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr std::size_t kReceiveBufferSize = 2048;  // ACKs are 4 bytes, ERRORs a short line

}  // namespace

std::string to_string(const udp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

Transfer::Transfer(udp::socket socket, Endpoint client,
                   std::string filename, files::Content content, TransferParams params,
                   Timer timer, DoneFn on_done)
    : socket_(std::move(socket)),
      timer_(std::move(timer)),
      client_(std::move(client)),
      client_text_(to_string(client_)),
      filename_(std::move(filename)),
      content_(std::move(content)),
      session_(content_.size(), std::move(params)),
      started_(Clock::now()),
      send_buf_(kDataHeaderSize + session_.params().blksize),
      recv_buf_(kReceiveBufferSize),
      on_done_(std::move(on_done)) {}

void Transfer::start() {
  receive();
  apply(session_.start(Clock::now()));
}

void Transfer::receive() {
  if (ended_) return;
  socket_.async_receive_from(
      asio::buffer(recv_buf_), sender_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
        self->on_receive(ec, size);
      });
}

void Transfer::on_receive(const boost::system::error_code& ec, std::size_t size) {
  if (ended_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    spdlog::debug("tftp: {} receive failed: {}", client_text_, ec.message());
  } else {
    on_datagram(sender_, size);
  }
  receive();
}

void Transfer::drain() {
  boost::system::error_code ec;
  for (int i = 0; i < 64 && !ended_ && socket_.available(ec) > 0 && !ec; ++i) {
    Endpoint from;
    std::size_t size = socket_.receive_from(asio::buffer(recv_buf_), from, 0, ec);
    if (ec) return;
    on_datagram(from, size);
  }
}

void Transfer::on_datagram(const Endpoint& from, std::size_t size) {
  if (from != client_) {
    // RFC 1350: a packet from another TID gets ERROR 5 and does not disturb the transfer.
    send(encode_error(ErrorCode::unknown_tid, "unknown transfer ID"), from);
    spdlog::info("tftp: {} sent a packet to the transfer of {}, answered unknown transfer ID",
                 to_string(from), client_text_);
  } else if (auto packet = decode(ByteView(recv_buf_.data(), size)); !packet) {
    spdlog::warn("tftp: {} dropped a malformed packet: {}", client_text_, packet.error().message);
  } else {
    apply(session_.on_packet(*packet, Clock::now()));
  }
}

void Transfer::arm_timer(Clock::time_point deadline) {
  // Session deadlines only move later, so the queue need not hear of every ACK: when the
  // deadline fires early the session says so and hands back the later one.
  if (armed_ && *armed_ <= deadline) return;
  armed_ = deadline;
  timer_.set(deadline);
}

void Transfer::on_timer() {
  if (ended_) return;
  armed_.reset();
  apply(session_.on_timeout(Clock::now()));
}

void Transfer::apply(Step step) {
  if (ended_) return;
  for (const Transmit& t : step.transmits) {
    if (const auto* bytes = std::get_if<SendBytes>(&t)) {
      send(bytes->packet, client_);
    } else if (std::string failure; !send_data(std::get<SendData>(t), failure)) {
      send(encode_error(ErrorCode::not_defined, "read error on the server"), client_);
      session_.abort(Outcome::read_failed);
      end(Outcome::read_failed, failure);
      return;
    }
  }
  if (step.outcome) {
    end(*step.outcome, {});
  } else if (step.deadline) {
    arm_timer(*step.deadline);
  }
}

bool Transfer::send_data(const SendData& data, std::string& failure) {
  if (auto read = content_.read(send_buf_.data() + kDataHeaderSize, data.length, data.offset);
      !read) {
    failure = read.error().message;
    return false;
  }
  write_data_header(send_buf_.data(), data.block);
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(send_buf_.data(), kDataHeaderSize + data.length), client_, 0, ec);
  if (ec) spdlog::debug("tftp: {} send failed: {}", client_text_, ec.message());
  return true;  // a lost datagram is the retransmission's business
}

void Transfer::send(const Bytes& packet, const Endpoint& to) {
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(packet), to, 0, ec);
  if (ec) spdlog::debug("tftp: {} send failed: {}", to_string(to), ec.message());
}

void Transfer::cut(std::string_view reason) {
  if (ended_) return;
  session_.abort(Outcome::cut);
  end(Outcome::cut, std::string(reason));
}

void Transfer::end(Outcome outcome, std::string detail) {
  if (ended_) return;
  ended_ = true;
  TransferSummary summary;
  summary.client = client_text_;
  summary.filename = filename_;
  summary.options = describe_options(session_.params().accepted);
  summary.outcome = outcome;
  summary.stats = session_.stats();
  summary.retries = session_.params().retries;
  summary.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  summary.detail = std::move(detail);
  std::string line = format_transfer_line(summary);
  if (outcome == Outcome::timed_out || outcome == Outcome::read_failed) {
    spdlog::warn("{}", line);
  } else {
    spdlog::info("{}", line);
  }

  boost::system::error_code ignored;
  if (timer_.cancel) timer_.cancel();
  socket_.close(ignored);
  content_ = files::Content();  // let go of the shared file
  if (on_done_) {
    DoneFn done = std::move(on_done_);
    done(*this);
  }
}

}  // namespace pxed::tftp

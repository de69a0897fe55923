#include "tftp/transfer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>

#include "tftp/transfer_log.h"

namespace pxed::tftp {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr std::size_t kReceiveBufferSize = 2048;  // ACKs are 4 bytes, ERRORs a short line
// A window is read and sent in bursts of at most what one GSO send carries.
constexpr std::size_t kBurstBytes = net::UdpBurst::kMaxBytes;
constexpr std::size_t kMaxBurstPackets = net::UdpBurst::kMaxSegments;

// The run of DATA packets from `first` on that are contiguous in the file, each but the last a
// full block, at most `limit` of them.
std::size_t data_run(const std::vector<Transmit>& transmits, std::size_t first, std::size_t blksize,
                     std::size_t limit) {
  std::size_t end = first + 1;
  while (end < transmits.size() && end - first < limit) {
    const auto* prev = std::get_if<SendData>(&transmits[end - 1]);
    const auto* next = std::get_if<SendData>(&transmits[end]);
    if (!next || prev->length != blksize || next->offset != prev->offset + blksize) break;
    ++end;
  }
  return end - first;
}

}  // namespace

std::string to_string(const udp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

Transfer::Transfer(udp::socket socket, Endpoint client, std::string filename,
                   files::Content content, TransferParams params, Timer timer, DoneFn on_done)
    : socket_(std::move(socket)),
      timer_(std::move(timer)),
      client_(std::move(client)),
      client_text_(to_string(client_)),
      filename_(std::move(filename)),
      content_(std::move(content)),
      session_(content_.size(), std::move(params)),
      started_(Clock::now()),
      // Room for one burst of the window: a lock-step transfer holds one packet.
      send_buf_((kDataHeaderSize + session_.params().blksize) *
                std::clamp<std::size_t>(
                    std::min(kBurstBytes / (kDataHeaderSize + session_.params().blksize),
                             kMaxBurstPackets),
                    1, session_.params().windowsize)),
      recv_buf_(kReceiveBufferSize),
      on_done_(std::move(on_done)) {
  if (client_.protocol() == udp::v4()) {
    std::memcpy(&client_addr_, client_.data(), sizeof client_addr_);
  }
}

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
  const std::size_t blksize = session_.params().blksize;
  const std::size_t per_burst = send_buf_.size() / (kDataHeaderSize + blksize);
  for (std::size_t i = 0; i < step.transmits.size();) {
    if (const auto* bytes = std::get_if<SendBytes>(&step.transmits[i])) {
      send(bytes->packet, client_);
      ++i;
      continue;
    }
    const std::size_t count = data_run(step.transmits, i, blksize, per_burst);
    std::array<SendData, kMaxBurstPackets> run;
    for (std::size_t k = 0; k < count; ++k) run[k] = std::get<SendData>(step.transmits[i + k]);
    i += count;
    if (std::string failure; !send_data(std::span(run.data(), count), failure)) {
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

bool Transfer::send_data(std::span<const SendData> run, std::string& failure) {
  const std::size_t segment = kDataHeaderSize + session_.params().blksize;
  const std::uint64_t first = run[0].offset;
  const std::uint64_t end = run.back().offset + run.back().length;
  // Read ahead while the client took the previous window: use it when it holds this run.
  const bool ahead =
      ahead_length_ > 0 && ahead_offset_ == first && end <= ahead_offset_ + ahead_length_;
  if (ahead) {
    std::swap(send_buf_, ahead_buf_);
  } else if (!read_blocks(send_buf_, run, failure)) {
    return false;
  }
  ahead_length_ = 0;
  std::size_t length = 0;
  for (std::size_t i = 0; i < run.size(); ++i) {
    write_data_header(send_buf_.data() + i * segment, run[i].block);
    length = i * segment + kDataHeaderSize + run[i].length;
  }
  auto sent = burst_.send(socket_.native_handle(), client_addr_, ByteView(send_buf_.data(), length),
                          segment);
  if (sent.error != 0) {
    spdlog::debug("tftp: {} sent {} of {} DATA packets: {}", client_text_, sent.sent, run.size(),
                  std::strerror(sent.error));
  }
  // A window (or, lock-step, a block) of full blocks: the next one most likely follows it. Read
  // it now, while the client works through this one, so that its ACK is answered without a
  // read first: a lock-step transfer is a chain of round trips, and this takes one system call
  // out of each.
  const std::size_t blksize = session_.params().blksize;
  if (run.back().length == blksize && end < content_.size()) {
    if (ahead_buf_.size() != send_buf_.size()) ahead_buf_.resize(send_buf_.size());
    std::array<SendData, kMaxBurstPackets> next{};
    std::size_t count = 0;
    for (std::uint64_t offset = end; count < run.size() && offset <= content_.size();
         offset += blksize) {
      next[count++] = SendData{
          0, offset,
          static_cast<std::size_t>(std::min<std::uint64_t>(blksize, content_.size() - offset))};
      if (next[count - 1].length < blksize) break;
    }
    std::string ignored;  // a failed read ahead is read again when the window is due
    if (read_blocks(ahead_buf_, std::span<const SendData>(next.data(), count), ignored)) {
      ahead_offset_ = end;
      ahead_length_ = next[count - 1].offset + next[count - 1].length - end;
    }
  }
  return true;  // a lost datagram is the retransmission's business
}

bool Transfer::read_blocks(Bytes& buf, std::span<const SendData> run, std::string& failure) {
  const std::size_t segment = kDataHeaderSize + session_.params().blksize;
  std::array<iovec, kMaxBurstPackets> parts{};
  for (std::size_t i = 0; i < run.size(); ++i) {
    parts[i] = iovec{buf.data() + i * segment + kDataHeaderSize, run[i].length};
  }
  if (auto read = content_.read(std::span<const iovec>(parts.data(), run.size()), run[0].offset);
      !read) {
    failure = read.error().message;
    return false;
  }
  return true;
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
  record_.client = Ipv4(client_.address().to_v4().to_uint());
  record_.port = client_.port();
  record_.filename = filename_;
  record_.ok = outcome == Outcome::completed;
  record_.outcome = record_.ok ? "sent" : std::string(to_string(outcome));
  if (!record_.ok && !summary.detail.empty()) record_.outcome += ": " + summary.detail;
  record_.bytes = summary.stats.bytes_acked;
  record_.file_size = summary.stats.file_size;
  record_.seconds = summary.seconds;
  record_.blksize = session_.params().blksize;
  record_.windowsize = session_.params().windowsize;
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

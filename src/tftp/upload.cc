#include "tftp/upload.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>

#include "tftp/transfer_log.h"

namespace pxed::tftp {

namespace asio = boost::asio;
using udp = asio::ip::udp;

Upload::Upload(udp::socket socket, Endpoint client, std::string name, files::PendingUpload file,
               TransferParams params, std::uint64_t max_size, Transfer::Timer timer,
               DoneFn on_done)
    : socket_(std::move(socket)),
      client_(std::move(client)),
      client_text_(to_string(client_)),
      name_(std::move(name)),
      file_(std::move(file)),
      session_(std::move(params), max_size),
      timer_(std::move(timer)),
      started_(Clock::now()),
      recv_buf_(kDataHeaderSize + session_.params().blksize + 1),
      on_done_(std::move(on_done)) {}

void Upload::start() {
  receive();
  apply(session_.start(Clock::now()));
}

void Upload::receive() {
  if (ended_) return;
  socket_.async_receive_from(
      asio::buffer(recv_buf_), sender_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
        if (self->ended_ || ec == asio::error::operation_aborted) return;
        if (!ec && self->sender_ != self->client_) {
          Bytes e = encode_error(ErrorCode::unknown_tid, "unknown transfer ID");
          boost::system::error_code ignored;
          self->socket_.send_to(asio::buffer(e), self->sender_, 0, ignored);
        } else if (!ec) {
          auto packet = decode(ByteView(self->recv_buf_.data(), size));
          if (!packet) {
            spdlog::warn("tftp: {} dropped a malformed packet: {}", self->client_text_,
                         packet.error().message);
          } else {
            self->apply(self->session_.on_packet(*packet, Clock::now()));
          }
        }
        self->receive();
      });
}

void Upload::on_timer() {
  if (ended_) return;
  armed_.reset();
  apply(session_.on_timeout(Clock::now()));
}

void Upload::apply(ReceiveStep step) {
  if (ended_) return;
  if (step.write) {
    if (auto written = file_.write(step.write->data, step.write->offset); !written) {
      ReceiveStep failed = session_.abort(UploadOutcome::write_failed);
      if (failed.send) {
        boost::system::error_code ignored;
        socket_.send_to(asio::buffer(*failed.send), client_, 0, ignored);
      }
      end(UploadOutcome::write_failed, written.error().message);
      return;
    }
  }
  std::string detail;
  if (step.outcome == UploadOutcome::completed) {
    // Named only now, and never over an existing file. The client hears of it only if it
    // worked: on failure it gets an ERROR instead of the last ACK.
    if (auto committed = file_.commit(); !committed) {
      Bytes e = committed.error().code == Errc::conflict
                    ? encode_error(ErrorCode::file_exists, "file already exists")
                    : encode_error(ErrorCode::disk_full, "cannot store the file");
      boost::system::error_code ignored;
      socket_.send_to(asio::buffer(e), client_, 0, ignored);
      end(UploadOutcome::write_failed, committed.error().message);
      return;
    }
  }
  if (step.send) {
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(*step.send), client_, 0, ec);
  }
  if (step.outcome) {
    end(*step.outcome, std::move(detail));
  } else if (step.deadline && (!armed_ || *armed_ > *step.deadline)) {
    armed_ = step.deadline;
    timer_.set(*step.deadline);
  }
}

void Upload::cut(std::string_view reason) {
  if (ended_) return;
  session_.abort(UploadOutcome::cut);
  end(UploadOutcome::cut, std::string(reason));
}

void Upload::end(UploadOutcome outcome, std::string detail) {
  if (ended_) return;
  ended_ = true;
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  std::string head = fmt::format("tftp: {} WRQ {}", client_text_, printable(name_));
  if (auto opts = describe_options(session_.params().accepted); !opts.empty()) {
    head += " (" + opts + ")";
  }
  if (outcome == UploadOutcome::completed) {
    spdlog::info("{} -> received {} bytes in {:.3f} s", head, session_.received(), seconds);
  } else {
    std::string why(to_string(outcome));
    if (outcome == UploadOutcome::aborted_by_client && session_.client_error()) {
      why += fmt::format(" with ERROR {} \"{}\"", session_.client_error()->code,
                         printable(session_.client_error()->message));
    }
    if (!detail.empty()) why += " (" + detail + ")";
    spdlog::warn("{} -> {} after {} bytes; nothing stored", head, why, session_.received());
  }
  boost::system::error_code ignored;
  if (timer_.cancel) timer_.cancel();
  socket_.close(ignored);
  if (on_done_) {
    DoneFn done = std::move(on_done_);
    done(*this);
  }
}

}  // namespace pxed::tftp

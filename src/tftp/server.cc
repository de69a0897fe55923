#include "tftp/server.h"

#include <map>
#include <optional>
#include <unordered_map>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/log_limiter.h"
#include "core/timer_queue.h"
#include "net/ipv4_udp.h"
#include "tftp/negotiation.h"
#include "tftp/packet.h"
#include "tftp/transfer.h"
#include "tftp/transfer_log.h"
#include "tftp/upload.h"

namespace pxed::tftp {

namespace asio = boost::asio;
using udp = asio::ip::udp;

struct Server::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, ServerConfig config, files::NameSpace& names)
      : io_(io),
        config_(config),
        names_(names),
        address_(config.address.value()),
        socket_(io),
        buf_(65536),
        wake_(io) {
    limits_.max_blksize = config.max_blksize;
    limits_.max_windowsize = config.max_windowsize;
    limits_.retries = config.retries;
    limits_.default_timeout = config.default_timeout;
  }

  void bind() {
    boost::system::error_code ec;
    socket_.open(udp::v4(), ec);
    if (!ec) socket_.bind(udp::endpoint(address_, config_.port), ec);
    // Room for the requests of a boot storm arriving at once.
    if (!ec) net::enlarge_receive_buffer(socket_.native_handle(), 4 << 20);
    if (ec) {
      throw std::system_error(
          std::error_code(ec.value(), std::system_category()),
          fmt::format("cannot listen on TFTP {}:{}", config_.address.to_string(), config_.port));
    }
    port_ = socket_.local_endpoint().port();
  }

  void receive() {
    if (stopped_) return;
    socket_.async_receive_from(
        asio::buffer(buf_), sender_,
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
          if (self->stopped_ || ec == asio::error::operation_aborted) return;
          if (ec) {
            spdlog::warn("tftp: receive on the listening socket failed: {}", ec.message());
          } else {
            // One bad packet must never take the server down.
            try {
              self->on_datagram(self->sender_, ByteView(self->buf_.data(), size));
            } catch (const std::exception& e) {
              spdlog::warn("tftp: {} request dropped after an internal error: {}",
                           to_string(self->sender_), e.what());
            }
          }
          self->receive();
        });
  }

  void on_datagram(const udp::endpoint& from, ByteView data) {
    const std::string client = to_string(from);
    auto packet = decode(data);
    if (!packet) {
      spdlog::warn("tftp: {} dropped a malformed packet: {}", client, packet.error().message);
      return;
    }
    const auto* request = std::get_if<Request>(&*packet);
    if (!request) {
      spdlog::debug("tftp: {} ignored a stray {} on the listening port", client, describe(*packet));
      return;
    }
    const char* op = request->write ? "WRQ" : "RRQ";
    if (auto refusal = check_request(*request, config_.uploads != nullptr)) {
      answer_error(from, refusal->code, refusal->message);
      spdlog::info(
          "{}", format_refusal_line(client, op, request->filename, "refused: " + refusal->message));
      return;
    }

    // Remapping rules decide what is opened; the log shows both names.
    const Ipv4 client_ip(from.address().to_v4().to_uint());
    Remapper::Outcome mapped = config_.remap.apply(request->filename, client_ip);
    std::string name = mapped.fired.empty()
                           ? request->filename
                           : fmt::format("{} => {}", request->filename, mapped.name);
    const bool netascii = iequals(request->mode, "netascii");
    if (netascii) name += " in netascii";

    if (auto it = transfers_.find(from); it != transfers_.end()) {
      std::shared_ptr<Transfer> old = it->second;  // cut() and drain() may remove it
      // It may have just ended on what the client sent before this request (edk2's ERROR 8).
      old->drain();
      if (!old->finished()) {
        // The same request again is a retransmission or a late duplicate, and the running
        // transfer answers it - unless the client had got going and then went quiet: then it
        // has started over.
        const bool same = old->filename() == name;
        if (same && !(old->progressed() && old->stalled())) {
          spdlog::debug("tftp: {} repeated RRQ {} ignored", client, printable(name));
          return;
        }
        old->cut("the client sent a new request");
      }
    }

    if (request->write) {
      start_upload(from, client, *request, name, mapped.name);
      return;
    }
    if (over_limit(from, client, op, name)) return;

    auto file = names_.open(mapped.name, files::Requester{client_ip, "tftp"});
    if (!file) {
      const Error& e = file.error();
      if (e.code == Errc::not_found) {
        answer_error(from, ErrorCode::file_not_found, "file not found");
        spdlog::info("{}", format_refusal_line(client, op, name, "not found"));
      } else if (e.code == Errc::access_denied) {
        answer_error(from, ErrorCode::access_violation, "access violation");
        spdlog::info("{}", format_refusal_line(client, op, name,
                                               "refused: access violation (" + e.message + ")"));
      } else {
        answer_error(from, ErrorCode::not_defined, "cannot open file");
        spdlog::warn(
            "{}", format_refusal_line(client, op, name, "cannot open: " + e.message));
      }
      return;
    }

    if (netascii) {
      // Converted in memory, so text files only.
      if (file->size() > kMaxNetasciiFile) {
        answer_error(from, ErrorCode::not_defined, "file too large for netascii mode");
        spdlog::info("{}", format_refusal_line(client, op, name,
                                               fmt::format("refused: {} bytes is too large for "
                                                           "netascii mode (at most {})",
                                                           file->size(), kMaxNetasciiFile)));
        return;
      }
      Bytes raw(file->size());
      if (auto read = file->read(raw.data(), raw.size(), 0); !read) {
        answer_error(from, ErrorCode::not_defined, "cannot read file");
        spdlog::warn("{}", format_refusal_line(client, op, name,
                                               "cannot read: " + read.error().message));
        return;
      }
      file = files::Content::of_bytes(std::make_shared<const Bytes>(to_netascii(raw)),
                                      file->mtime());
    }
    TransferParams params = negotiate(request->options, file->size(), limits_);
    std::string no_socket;
    auto socket = transfer_socket(no_socket);
    if (!socket) {
      answer_error(from, ErrorCode::not_defined, "server busy");
      spdlog::warn("{}", format_refusal_line(client, op, name,
                                             "no transfer socket: " + no_socket));
      return;
    }
    std::shared_ptr<Transfer> transfer;
    const TimerQueue::Id id = ++next_timer_id_;
    try {
      std::weak_ptr<Impl> weak = weak_from_this();
      transfer = std::make_shared<Transfer>(
          std::move(*socket), from, name, std::move(*file), std::move(params), timer_for(id),
          [weak](const Transfer& done) {
            if (auto self = weak.lock()) self->forget(done);
          });
    } catch (const boost::system::system_error& e) {
      answer_error(from, ErrorCode::not_defined, "server busy");
      spdlog::warn("{}", format_refusal_line(client, op, name,
                                             fmt::format("cannot start the transfer: {}", e.what())));
      return;
    }
    transfers_[from] = transfer;
    ++per_client_[from.address().to_v4()];
    timed_[id] = transfer;
    transfer->start();
  }

  void schedule(TimerQueue::Id id, Clock::time_point when) {
    timers_.set(id, when);
    rearm();
  }

  void unschedule(TimerQueue::Id id) {
    timers_.cancel(id);
    timed_.erase(id);
    timed_uploads_.erase(id);
  }

  // One steady_timer, armed for the earliest deadline of all transfers.
  void rearm() {
    auto next = timers_.next();
    if (!next || stopped_ || (wake_at_ && *wake_at_ <= *next)) return;
    wake_at_ = *next;
    wake_.expires_at(*next);
    wake_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec) return;  // replaced by an earlier deadline, or stopping
      self->wake_at_.reset();
      for (TimerQueue::Id id : self->timers_.pop_due(Clock::now())) {
        if (auto it = self->timed_.find(id); it != self->timed_.end()) {
          if (auto transfer = it->second.lock()) transfer->on_timer();
        } else if (auto up = self->timed_uploads_.find(id); up != self->timed_uploads_.end()) {
          if (auto upload = up->second.lock()) upload->on_timer();
        }
      }
      self->rearm();
    });
  }

  void start_upload(const udp::endpoint& from, const std::string& client, const Request& request,
                    const std::string& name, const std::string& target) {
    if (auto it = uploads_.find(from); it != uploads_.end() && !it->second->finished()) {
      if (it->second->name() == name) return;  // the WRQ again: the running upload answers
      it->second->cut("the client sent a new request");
    }
    if (over_limit(from, client, "WRQ", name)) return;
    auto refuse = [&](ErrorCode code, std::string_view message, const std::string& why) {
      answer_error(from, code, message);
      spdlog::info("{}", format_refusal_line(client, "WRQ", name, "refused: " + why));
    };
    auto params = negotiate_upload(request.options, limits_, config_.max_upload_size);
    if (!params) {
      refuse(ErrorCode::disk_full, "file too large", params.error().message);
      return;
    }
    auto file = config_.uploads->create(target);
    if (!file) {
      const Error& e = file.error();
      if (e.code == Errc::conflict) {
        refuse(ErrorCode::file_exists, "file already exists", "the file exists (never overwritten)");
      } else if (e.code == Errc::access_denied) {
        refuse(ErrorCode::access_violation, "access violation", "access violation (" + e.message + ")");
      } else if (e.code == Errc::not_found) {
        refuse(ErrorCode::file_not_found, "no such directory", "no such directory");
      } else {
        refuse(ErrorCode::disk_full, "cannot create file", e.message);
      }
      return;
    }
    std::string no_socket;
    auto socket = transfer_socket(no_socket);
    if (!socket) {
      refuse(ErrorCode::not_defined, "server busy", "no transfer socket: " + no_socket);
      return;
    }
    const TimerQueue::Id id = ++next_timer_id_;
    std::weak_ptr<Impl> weak = weak_from_this();
    auto upload = std::make_shared<Upload>(
        std::move(*socket), from, name, std::move(*file), std::move(*params),
        config_.max_upload_size, timer_for(id), [weak](const Upload& done) {
          if (auto self = weak.lock()) self->forget_upload(done);
        });
    uploads_[from] = upload;
    ++per_client_[from.address().to_v4()];
    timed_uploads_[id] = upload;
    upload->start();
  }

  void forget_upload(const Upload& done) {
    auto it = uploads_.find(done.client());
    if (it != uploads_.end() && it->second.get() == &done) {
      uploads_.erase(it);
      release_slot(done.client());
    }
  }

  void release_slot(const udp::endpoint& client) {
    auto c = per_client_.find(client.address().to_v4());
    if (c != per_client_.end() && --c->second == 0) per_client_.erase(c);
  }

  // A transfer's or upload's entry in the timer queue.
  Transfer::Timer timer_for(TimerQueue::Id id) {
    std::weak_ptr<Impl> weak = weak_from_this();
    return Transfer::Timer{[weak, id](Clock::time_point when) {
                             if (auto self = weak.lock()) self->schedule(id, when);
                           },
                           [weak, id] {
                             if (auto self = weak.lock()) self->unschedule(id);
                           }};
  }

  void forget(const Transfer& done) {
    auto it = transfers_.find(done.client());
    if (it != transfers_.end() && it->second.get() == &done) {
      transfers_.erase(it);
      release_slot(done.client());
    }
  }

  // Over a limit: the request is dropped, not refused, because PXE firmware gives up on an
  // ERROR but retransmits a request that goes unanswered.
  bool over_limit(const udp::endpoint& from, const std::string& client, std::string_view op,
                  const std::string& filename) {
    std::string why;
    if (transfers_.size() + uploads_.size() >= config_.max_transfers) {
      why = fmt::format("{} transfers running (max-transfers)", transfers_.size() + uploads_.size());
    } else if (auto c = per_client_.find(from.address().to_v4());
               c != per_client_.end() && c->second >= config_.max_transfers_per_client) {
      why = fmt::format("{} transfers running for this client (max-transfers-per-client)",
                        c->second);
    } else {
      return false;
    }
    ++deferred_;
    if (auto held = busy_log_.allow(from.address().to_string(), Clock::now())) {
      spdlog::warn("{}", format_refusal_line(
                             client, op, filename,
                             fmt::format("dropped: {}; the client will ask again{}", why,
                                         *held ? fmt::format(" ({} more since the last report)",
                                                             *held)
                                               : "")));
    }
    return true;
  }

  // The transfer's own socket on the server's address: a port from port-range, taken in turn,
  // or one the kernel picks.
  std::optional<udp::socket> transfer_socket(std::string& why) {
    udp::socket s(io_);
    boost::system::error_code ec;
    s.open(udp::v4(), ec);
    if (!ec && !config_.port_range) s.bind(udp::endpoint(address_, 0), ec);
    if (!ec && config_.port_range) {
      const auto [first, last] = *config_.port_range;
      const std::uint32_t count = static_cast<std::uint32_t>(last - first) + 1;
      ec = asio::error::address_in_use;
      for (std::uint32_t i = 0; i < count && ec == asio::error::address_in_use; ++i) {
        const auto port = static_cast<std::uint16_t>(first + (port_cursor_ + i) % count);
        s.bind(udp::endpoint(address_, port), ec);
        if (!ec) port_cursor_ = (port_cursor_ + i + 1) % count;
      }
      if (ec == asio::error::address_in_use) {
        why = fmt::format("every port of port-range {}-{} is in use", first, last);
        return std::nullopt;
      }
    }
    if (ec) {
      why = ec.message();
      return std::nullopt;
    }
    return s;
  }

  // Errors go out from a fresh port, as a new TID would (RFC 1350), without any waiting; if
  // that socket cannot be had, from the listening port.
  void answer_error(const udp::endpoint& to, ErrorCode code, std::string_view message) {
    Bytes packet = encode_error(code, message);
    boost::system::error_code ec;
    udp::socket once(io_);
    once.open(udp::v4(), ec);
    if (!ec) once.bind(udp::endpoint(address_, 0), ec);
    if (!ec) once.send_to(asio::buffer(packet), to, 0, ec);
    if (ec) socket_.send_to(asio::buffer(packet), to, 0, ec);
    if (ec) spdlog::debug("tftp: {} error reply failed: {}", to_string(to), ec.message());
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    wake_.cancel();
    auto open = std::exchange(transfers_, {});
    for (auto& [client, transfer] : open) transfer->cut("server stopping");
    auto receiving = std::exchange(uploads_, {});
    for (auto& [client, upload] : receiving) upload->cut("server stopping");
  }

  asio::io_context& io_;
  ServerConfig config_;
  files::NameSpace& names_;
  asio::ip::address_v4 address_;
  Limits limits_;
  udp::socket socket_;
  udp::endpoint sender_;
  Bytes buf_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
  std::map<udp::endpoint, std::shared_ptr<Transfer>> transfers_;
  TimerQueue timers_;  // every transfer's retransmission deadline
  asio::steady_timer wake_;
  std::optional<Clock::time_point> wake_at_;
  std::unordered_map<TimerQueue::Id, std::weak_ptr<Transfer>> timed_;
  std::map<udp::endpoint, std::shared_ptr<Upload>> uploads_;
  std::unordered_map<TimerQueue::Id, std::weak_ptr<Upload>> timed_uploads_;
  TimerQueue::Id next_timer_id_ = 0;
  std::map<asio::ip::address_v4, std::size_t> per_client_;  // transfers running per client
  LogLimiter busy_log_{std::chrono::seconds(10)};
  std::uint64_t deferred_ = 0;  // requests dropped over a limit
  std::uint32_t port_cursor_ = 0;
};

Server::Server(asio::io_context& io, ServerConfig config, files::NameSpace& names)
    : impl_(std::make_shared<Impl>(io, config, names)) {
  impl_->bind();
}

Server::~Server() {
  impl_->stop();
}

void Server::start() {
  impl_->receive();
}

void Server::stop() {
  impl_->stop();
}

std::uint16_t Server::port() const {
  return impl_->port_;
}

}  // namespace pxed::tftp

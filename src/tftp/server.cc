#include "tftp/server.h"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/log_limiter.h"
#include "core/timer_queue.h"
#include "net/ipv4_udp.h"
#include "tftp/admission.h"
#include "tftp/negotiation.h"
#include "tftp/packet.h"
#include "tftp/transfer.h"
#include "tftp/transfer_log.h"
#include "tftp/upload.h"

namespace pxed::tftp {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

// Requests over a limit wait at most this long without a word from their client, and at most
// this many in all; a request bigger than this is not kept (real ones are a few dozen bytes).
constexpr auto kWaitPatience = std::chrono::seconds(10);
constexpr std::size_t kMaxWaiting = 4096;
constexpr std::size_t kMaxWaitingRequest = 1024;

// What every loop of the server shares: the settings, the name space and the admission of
// transfers (the limits and the requests waiting for a slot).
struct Common {
  Common(ServerConfig c, files::NameSpace& n)
      : config(std::move(c)),
        names(n),
        address(config.address.value()),
        admission(Admission::Limits{config.max_transfers, config.max_transfers_per_client,
                                    kMaxWaiting, kWaitPatience}) {
    limits.max_blksize = config.max_blksize;
    limits.max_windowsize = config.max_windowsize;
    limits.retries = config.retries;
    limits.default_timeout = config.default_timeout;
  }

  Admission::Decision admit(Admission::Waiting request, bool may_wait) {
    std::lock_guard lock(mutex);
    return admission.request(std::move(request), Clock::now(), may_wait);
  }
  // A slot of `client` is free: it goes on to the next waiting request, if one may start.
  void release(Ipv4 client) {
    std::optional<Admission::Waiting> next;
    {
      std::lock_guard lock(mutex);
      next = admission.release(client, Clock::now());
    }
    if (next && resume) resume(std::move(*next));
  }

  const ServerConfig config;
  files::NameSpace& names;  // thread-safe
  const asio::ip::address_v4 address;
  Limits limits;
  std::mutex mutex;
  Admission admission;  // under mutex
  // Starts a waiting request that has been given a slot, on its loop (set once, before serving).
  std::function<void(Admission::Waiting)> resume;
  std::atomic<std::uint32_t> port_cursor{0};  // the next port of port-range to try
};

// A slot taken for a request, given back unless a transfer or upload took it over (keep()).
class SlotHold {
 public:
  SlotHold(Common& common, Ipv4 client) : common_(&common), client_(client) {}
  SlotHold(SlotHold&& other) noexcept
      : common_(std::exchange(other.common_, nullptr)), client_(other.client_) {}
  SlotHold(const SlotHold&) = delete;
  SlotHold& operator=(const SlotHold&) = delete;
  SlotHold& operator=(SlotHold&& other) noexcept {
    if (this != &other) {
      if (common_) common_->release(client_);
      common_ = std::exchange(other.common_, nullptr);
      client_ = other.client_;
    }
    return *this;
  }
  ~SlotHold() {
    if (common_) common_->release(client_);
  }
  void keep() { common_ = nullptr; }

 private:
  Common* common_;
  Ipv4 client_;
};

// One event loop's share of the work: the requests from the client endpoints that hash to it,
// their transfers and uploads, and their retransmission deadlines behind one timer. Everything
// here runs on its io_context's thread.
struct Shard : std::enable_shared_from_this<Shard> {
  Shard(asio::io_context& io, std::shared_ptr<Common> common, std::size_t index)
      : io_(io),
        index_(index),
        common_(std::move(common)),
        config_(common_->config),
        names_(common_->names),
        address_(common_->address),
        limits_(common_->limits),
        wake_(io) {}

  // A datagram that reached the listening port from `from`; `slot`: a request that waited
  // and now has one.
  void on_request(const udp::endpoint& from, ByteView data, std::optional<SlotHold> slot = {}) {
    if (stopped_) return;
    // One bad packet must never take the server down.
    try {
      on_datagram(from, data, std::move(slot));
    } catch (const std::exception& e) {
      spdlog::warn("tftp: {} request dropped after an internal error: {}", to_string(from),
                   e.what());
    }
  }

  void on_datagram(const udp::endpoint& from, ByteView data, std::optional<SlotHold> slot) {
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
      observe_refusal(from, op, request->filename, "refused: " + refusal->message);
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

    if (!slot) slot = take_slot(from, data, client, op, name);
    if (!slot) return;
    if (request->write) {
      start_upload(from, client, *request, name, mapped.name, std::move(*slot));
      return;
    }

    auto file = names_.open(mapped.name, files::Requester{client_ip, "tftp"});
    if (!file) {
      const Error& e = file.error();
      if (e.code == Errc::not_found) {
        answer_error(from, ErrorCode::file_not_found, "file not found");
        spdlog::info("{}", format_refusal_line(client, op, name, "not found"));
        observe_refusal(from, op, name, "not found");
      } else if (e.code == Errc::access_denied) {
        answer_error(from, ErrorCode::access_violation, "access violation");
        spdlog::info("{}", format_refusal_line(client, op, name,
                                               "refused: access violation (" + e.message + ")"));
        observe_refusal(from, op, name, "refused: access violation");
      } else {
        answer_error(from, ErrorCode::not_defined, "cannot open file");
        spdlog::warn("{}", format_refusal_line(client, op, name, "cannot open: " + e.message));
        observe_refusal(from, op, name, "cannot open: " + e.message);
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
        spdlog::warn("{}",
                     format_refusal_line(client, op, name, "cannot read: " + read.error().message));
        return;
      }
      file =
          files::Content::of_bytes(std::make_shared<const Bytes>(to_netascii(raw)), file->mtime());
    }
    TransferParams params = negotiate(request->options, file->size(), limits_);
    std::string no_socket;
    auto socket = transfer_socket(no_socket);
    if (!socket) {
      answer_error(from, ErrorCode::not_defined, "server busy");
      spdlog::warn("{}", format_refusal_line(client, op, name, "no transfer socket: " + no_socket));
      return;
    }
    std::shared_ptr<Transfer> transfer;
    const TimerQueue::Id id = ++next_timer_id_;
    try {
      std::weak_ptr<Shard> weak = weak_from_this();
      transfer = std::make_shared<Transfer>(std::move(*socket), from, name, std::move(*file),
                                            std::move(params), timer_for(id),
                                            [weak](const Transfer& done) {
                                              auto self = weak.lock();
                                              if (!self) return;
                                              self->observe(done.record());
                                              self->forget(done);
                                            });
    } catch (const boost::system::system_error& e) {
      answer_error(from, ErrorCode::not_defined, "server busy");
      spdlog::warn("{}",
                   format_refusal_line(client, op, name,
                                       fmt::format("cannot start the transfer: {}", e.what())));
      return;
    }
    transfers_[from] = transfer;
    slot->keep();
    timed_[id] = transfer;
    transfer->start();
  }

  void observe(const TransferRecord& record) {
    if (!config_.observer) return;
    try {
      config_.observer(record);
    } catch (const std::exception& e) {
      spdlog::warn("tftp: the transfer observer failed: {}", e.what());
    }
  }

  void observe_refusal(const udp::endpoint& from, std::string_view op, std::string_view name,
                       std::string outcome) {
    TransferRecord r;
    r.client = Ipv4(from.address().to_v4().to_uint());
    r.port = from.port();
    r.op = std::string(op);
    r.filename = std::string(name);
    r.outcome = std::move(outcome);
    observe(r);
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
                    const std::string& name, const std::string& target, SlotHold slot) {
    if (auto it = uploads_.find(from); it != uploads_.end() && !it->second->finished()) {
      if (it->second->name() == name) return;  // the WRQ again: the running upload answers
      it->second->cut("the client sent a new request");
    }
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
        refuse(ErrorCode::file_exists, "file already exists",
               "the file exists (never overwritten)");
      } else if (e.code == Errc::access_denied) {
        refuse(ErrorCode::access_violation, "access violation",
               "access violation (" + e.message + ")");
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
    std::weak_ptr<Shard> weak = weak_from_this();
    auto upload = std::make_shared<Upload>(std::move(*socket), from, name, std::move(*file),
                                           std::move(*params), config_.max_upload_size,
                                           timer_for(id), [weak](const Upload& done) {
                                             if (auto self = weak.lock()) self->forget_upload(done);
                                           });
    uploads_[from] = upload;
    slot.keep();
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
    common_->release(Ipv4(client.address().to_v4().to_uint()));
  }

  // A transfer's or upload's entry in the timer queue.
  Transfer::Timer timer_for(TimerQueue::Id id) {
    std::weak_ptr<Shard> weak = weak_from_this();
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

  // A slot under the limits for the request, held until a transfer takes it over. Over a limit
  // the request waits in line (Admission) and starts when a slot comes free: it is not refused,
  // because PXE firmware gives up on an ERROR.
  std::optional<SlotHold> take_slot(const udp::endpoint& from, ByteView data,
                                    const std::string& client, std::string_view op,
                                    const std::string& filename) {
    const Ipv4 ip(from.address().to_v4().to_uint());
    // A request too big to keep does not wait (it is dropped over a limit).
    const bool may_wait = data.size() <= kMaxWaitingRequest;
    Admission::Decision d = common_->admit(
        Admission::Waiting{ip, from.port(), may_wait ? Bytes(data.begin(), data.end()) : Bytes(),
                           index_},
        may_wait);
    if (d.verdict == Admission::Verdict::admitted) {
      return std::optional<SlotHold>(std::in_place, *common_, ip);
    }
    if (d.verdict == Admission::Verdict::refreshed) {
      spdlog::debug("tftp: {} {} {} asked again while waiting", client, op, printable(filename));
      return std::nullopt;
    }
    if (auto held = busy_log_.allow(from.address().to_string(), Clock::now())) {
      const std::string more =
          *held ? fmt::format(" ({} more since the last report)", *held) : std::string();
      if (d.verdict == Admission::Verdict::queued) {
        spdlog::warn("{}", format_refusal_line(
                               client, op, filename,
                               fmt::format("waiting: {}; {} in line{}", d.why, d.waiting, more)));
      } else {
        spdlog::warn("{}",
                     format_refusal_line(
                         client, op, filename,
                         fmt::format("dropped: {}; the client will ask again{}", d.why, more)));
      }
    }
    return std::nullopt;
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
        const auto port = static_cast<std::uint16_t>(first + common_->port_cursor++ % count);
        s.bind(udp::endpoint(address_, port), ec);
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

  // Errors go out from a fresh port, as a new TID would (RFC 1350), without any waiting.
  void answer_error(const udp::endpoint& to, ErrorCode code, std::string_view message) {
    Bytes packet = encode_error(code, message);
    boost::system::error_code ec;
    udp::socket once(io_);
    once.open(udp::v4(), ec);
    if (!ec) once.bind(udp::endpoint(address_, 0), ec);
    if (!ec) once.send_to(asio::buffer(packet), to, 0, ec);
    if (ec) spdlog::debug("tftp: {} error reply failed: {}", to_string(to), ec.message());
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    wake_.cancel();
    auto open = std::exchange(transfers_, {});
    for (auto& [client, transfer] : open) transfer->cut("server stopping");
    auto receiving = std::exchange(uploads_, {});
    for (auto& [client, upload] : receiving) upload->cut("server stopping");
  }

  asio::io_context& io_;
  const std::size_t index_;  // this loop's place in the server's list
  std::shared_ptr<Common> common_;
  const ServerConfig& config_;
  files::NameSpace& names_;
  const asio::ip::address_v4 address_;
  const Limits& limits_;
  bool stopped_ = false;
  std::map<udp::endpoint, std::shared_ptr<Transfer>> transfers_;
  TimerQueue timers_;  // every transfer's retransmission deadline
  asio::steady_timer wake_;
  std::optional<Clock::time_point> wake_at_;
  std::unordered_map<TimerQueue::Id, std::weak_ptr<Transfer>> timed_;
  std::map<udp::endpoint, std::shared_ptr<Upload>> uploads_;
  std::unordered_map<TimerQueue::Id, std::weak_ptr<Upload>> timed_uploads_;
  TimerQueue::Id next_timer_id_ = 0;
  LogLimiter busy_log_{std::chrono::seconds(10)};
  std::atomic<std::uint64_t> requests{0};  // handed to this loop (counted by the listener)
};

}  // namespace

// The listening socket, on the io_context the server was given, and the loops that carry the
// transfers: the first on that same io_context, each other one on a thread of its own. A
// request goes to the loop its client endpoint (address and port) hashes to, so a client's
// repeated request always meets its running transfer.
struct Server::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, ServerConfig config, files::NameSpace& names)
      : io_(io),
        common_(std::make_shared<Common>(std::move(config), names)),
        config_(common_->config),
        socket_(io),
        buf_(65536) {
    const unsigned loops = std::max(1u, config_.threads);
    shards_.push_back(std::make_shared<Shard>(io, common_, 0));
    for (unsigned i = 1; i < loops; ++i) {
      Own& own = own_.emplace_back();
      own.io = std::make_unique<asio::io_context>(1);
      own.work.emplace(own.io->get_executor());
      shards_.push_back(std::make_shared<Shard>(*own.io, common_, i));
    }
  }

  // A waiting request got a slot: its loop starts it, later (never inside the transfer end
  // that freed the slot).
  void wire() {
    std::weak_ptr<Impl> weak = weak_from_this();
    common_->resume = [weak](Admission::Waiting w) {
      auto self = weak.lock();
      if (!self || self->stopped_ || w.loop >= self->shards_.size()) return;
      std::shared_ptr<Shard> shard = self->shards_[w.loop];
      const udp::endpoint from(asio::ip::address_v4(w.client.value()), w.port);
      asio::post(shard->io_, [shard, from, common = self->common_, w = std::move(w)] {
        shard->on_request(from, w.request,
                          std::optional<SlotHold>(std::in_place, *common, w.client));
      });
    };
  }
  ~Impl() { stop(); }

  void bind() {
    boost::system::error_code ec;
    socket_.open(udp::v4(), ec);
    if (!ec) socket_.bind(udp::endpoint(common_->address, config_.port), ec);
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
            self->dispatch(self->sender_, ByteView(self->buf_.data(), size));
          }
          self->receive();
        });
  }

  void start_loops() {
    for (Own& own : own_) {
      if (own.thread.joinable()) continue;
      asio::io_context* io = own.io.get();
      own.thread = std::thread([io] {
        try {
          io->run();
        } catch (const std::exception& e) {
          spdlog::critical("tftp: event loop failed: {}", e.what());
        }
      });
    }
  }

  void dispatch(const udp::endpoint& from, ByteView data) {
    const std::uint64_t key = (std::uint64_t{from.address().to_v4().to_uint()} << 16) | from.port();
    const std::size_t index = (key * 0x9E3779B97F4A7C15ull >> 32) % shards_.size();
    const std::shared_ptr<Shard>& shard = shards_[index];
    shard->requests.fetch_add(1, std::memory_order_relaxed);
    if (index == 0) {
      shard->on_request(from, data);  // the loop of this thread
    } else {
      asio::post(shard->io_, [shard, from, copy = Bytes(data.begin(), data.end())] {
        shard->on_request(from, copy);
      });
    }
  }

  // Closes the listening port and cuts every transfer; the other loops' threads end. On the
  // listener's thread, or once its io_context no longer runs.
  void stop() {
    if (!stopped_) {
      stopped_ = true;
      boost::system::error_code ignored;
      socket_.close(ignored);
      shards_[0]->stop();
      std::string spread;
      for (const auto& shard : shards_) {
        spread += fmt::format("{}{}", spread.empty() ? "" : "/", shard->requests.load());
      }
      if (started_) spdlog::info("tftp: stopped listening; requests per loop: {}", spread);
    }
    for (std::size_t i = 0; i < own_.size(); ++i) {
      Own& own = own_[i];
      if (!own.thread.joinable()) continue;
      asio::io_context* io = own.io.get();
      asio::post(*io, [shard = shards_[i + 1], io] {
        shard->stop();
        io->stop();
      });
      own.thread.join();
    }
  }

  struct Own {  // a loop with a thread of its own
    std::unique_ptr<asio::io_context> io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
  };

  asio::io_context& io_;
  std::shared_ptr<Common> common_;
  const ServerConfig& config_;
  udp::socket socket_;
  udp::endpoint sender_;
  Bytes buf_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  std::atomic<bool> stopped_{false};  // read by other loops' threads (resume)
  // Declared before the loops that run on them: the loops (their timers and sockets) go first.
  std::vector<Own> own_;
  std::vector<std::shared_ptr<Shard>> shards_;
};

Server::Server(asio::io_context& io, ServerConfig config, files::NameSpace& names)
    : impl_(std::make_shared<Impl>(io, config, names)) {
  impl_->wire();
  impl_->bind();
}

Server::~Server() {
  impl_->stop();
}

void Server::start() {
  impl_->started_ = true;
  impl_->start_loops();
  impl_->receive();
}

void Server::stop() {
  impl_->stop();
}

std::uint16_t Server::port() const {
  return impl_->port_;
}

std::vector<std::uint64_t> Server::requests_per_loop() const {
  std::vector<std::uint64_t> out;
  for (const auto& shard : impl_->shards_) out.push_back(shard->requests.load());
  return out;
}

}  // namespace pxed::tftp

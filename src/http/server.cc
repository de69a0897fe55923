#include "http/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/connection.h"
#include "http/response_head.h"
#include "http/router.h"

namespace pxed::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// What every loop reads: set up before the loops start, then only read (but for `open`).
struct Shared {
  Shared(const ServerConfig& c, files::NameSpace& n)
      : config(c), names(n), handler(std::make_shared<const Handler>(c.handler)) {}
  ServerConfig config;
  files::NameSpace& names;
  std::shared_ptr<RequestObserver> observer = std::make_shared<RequestObserver>();
  std::shared_ptr<const Handler> handler;
  std::atomic<std::size_t> open{0};  // connections admitted over all loops and not yet closed
};

// One event loop's connections, touched only from that loop's thread (but for the counters).
class Shard : public std::enable_shared_from_this<Shard> {
 public:
  Shard(asio::io_context& io, std::shared_ptr<Shared> shared)
      : io_(io), shared_(std::move(shared)), sweep_(io) {}

  asio::io_context& io() { return io_; }

  // Called by the listener, which counted the connection in shared.open and in open.
  void admit(tcp::socket socket) {
    if (stopped_) {
      error_code ec;
      socket.close(ec);
      forget();
      return;
    }
    std::weak_ptr<Shard> weak = weak_from_this();
    ConnectionLimits limits;
    limits.header_timeout = shared_->config.header_timeout;
    limits.idle_timeout = shared_->config.idle_timeout;
    limits.max_requests = shared_->config.max_requests_per_connection;
    auto conn = std::make_shared<Connection>(
        std::move(socket), shared_->names, limits,
        [weak](Connection* c) {
          if (auto self = weak.lock()) {
            self->connections_.erase(c);
            self->forget();
          }
        },
        shared_->observer, shared_->handler);
    connections_.emplace(conn.get(), conn);
    conn->start();
  }

  void start() {
    if (!stopped_) sweep();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    sweep_.cancel();
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(connections_.size());
    for (auto& [ptr, conn] : connections_) all.push_back(conn);
    for (auto& conn : all) conn->close();
    connections_.clear();
    closed_at_stop = all.size();
  }

  std::atomic<std::size_t> open{0};        // admitted here (or on the way) and not yet closed
  std::atomic<std::uint64_t> accepted{0};  // in all, for the log line at the end
  std::size_t closed_at_stop = 0;          // read once the loop's thread has been joined

 private:
  void forget() {
    open.fetch_sub(1, std::memory_order_relaxed);
    shared_->open.fetch_sub(1, std::memory_order_relaxed);
  }

  void sweep() {
    sweep_.expires_after(std::chrono::seconds(1));
    sweep_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->stopped_) return;
      auto now = Connection::Clock::now();
      std::vector<std::shared_ptr<Connection>> all;
      all.reserve(self->connections_.size());
      for (auto& [ptr, conn] : self->connections_) all.push_back(conn);
      for (auto& conn : all) conn->check_deadline(now);
      self->sweep();
    });
  }

  asio::io_context& io_;
  std::shared_ptr<Shared> shared_;
  asio::steady_timer sweep_;  // one timer checks every connection's deadline once a second
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  bool stopped_ = false;
};

unsigned loops_for(unsigned threads) {
  if (threads != 0) return threads;
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

}  // namespace

// The listening socket and the first loop on the io_context the server was given; the other
// loops on threads of their own. Only the first loop's thread touches the listener.
class Server::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, const ServerConfig& config, files::NameSpace& names)
      : shared_(std::make_shared<Shared>(config, names)), acceptor_(io), retry_(io) {
    const ServerConfig& c = shared_->config;
    tcp::endpoint ep(asio::ip::address_v4(c.address.value()), c.port);
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::system_error(
          ec, fmt::format("cannot listen on HTTP {}:{}", c.address.to_string(), c.port));
    }
    port_ = acceptor_.local_endpoint().port();
    const unsigned loops = loops_for(c.threads);
    shards_.push_back(std::make_shared<Shard>(io, shared_));
    for (unsigned i = 1; i < loops; ++i) {
      Own& own = own_.emplace_back();
      own.io = std::make_unique<asio::io_context>(1);
      own.work.emplace(own.io->get_executor());
      shards_.push_back(std::make_shared<Shard>(*own.io, shared_));
    }
  }

  ~Listener() { stop(); }

  std::uint16_t port() const { return port_; }
  void set_observer(RequestObserver observer) { *shared_->observer = std::move(observer); }

  void start() {
    if (started_ || stopped_) return;
    started_ = true;
    spdlog::info("http: listening on {}:{} with {} event loop(s)",
                 shared_->config.address.to_string(), port_, shards_.size());
    shards_[0]->start();
    for (std::size_t i = 0; i < own_.size(); ++i) {
      asio::io_context* io = own_[i].io.get();
      asio::post(*io, [shard = shards_[i + 1]] { shard->start(); });
      own_[i].thread = std::thread([io] {
        try {
          io->run();
        } catch (const std::exception& e) {
          spdlog::critical("http: event loop failed: {}", e.what());
        }
      });
    }
    accept();
  }

  // On the first loop's thread, or while it does not run.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
    shards_[0]->stop();
    for (std::size_t i = 0; i < own_.size(); ++i) {
      Own& own = own_[i];
      asio::io_context* io = own.io.get();
      if (!own.thread.joinable()) {  // never ran: nothing else touches the shard
        shards_[i + 1]->stop();
        continue;
      }
      asio::post(*io, [shard = shards_[i + 1], io] {
        shard->stop();
        io->stop();
      });
      own.thread.join();
    }
    if (started_) {
      std::size_t closed = 0;
      std::string spread;
      for (const auto& shard : shards_) {
        closed += shard->closed_at_stop;
        spread += fmt::format("{}{}", spread.empty() ? "" : "/", shard->accepted.load());
      }
      spdlog::info(
          "http: stopped listening on {}:{}, closed {} connection(s); connections per loop: {}",
          shared_->config.address.to_string(), port_, closed, spread);
    }
  }

 private:
  // The loop with the fewest open connections, the next one in turn among equals.
  std::size_t pick() {
    std::size_t best = next_ % shards_.size();
    for (std::size_t k = 1; k < shards_.size(); ++k) {
      std::size_t i = (next_ + k) % shards_.size();
      if (shards_[i]->open.load(std::memory_order_relaxed) <
          shards_[best]->open.load(std::memory_order_relaxed)) {
        best = i;
      }
    }
    next_ = best + 1;
    return best;
  }

  void accept() {
    // The accepted socket belongs to the chosen loop's io_context from the start.
    std::shared_ptr<Shard> shard = shards_[pick()];
    acceptor_.async_accept(shard->io(),
                           [self = shared_from_this(), shard](error_code ec, tcp::socket socket) {
                             if (self->stopped_) return;
                             if (ec) return self->accept_failed(ec);
                             self->admit(shard, std::move(socket));
                             self->accept();
                           });
  }

  void accept_failed(const error_code& ec) {
    // Out of descriptors or memory: wait a little rather than spin on the same error.
    spdlog::warn("http: accepting a connection failed: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](error_code wait_ec) {
      if (!wait_ec && !self->stopped_) self->accept();
    });
  }

  void admit(const std::shared_ptr<Shard>& shard, tcp::socket socket) {
    if (shared_->open.load(std::memory_order_relaxed) >= shared_->config.max_connections) {
      return refuse(std::move(socket));
    }
    shared_->open.fetch_add(1, std::memory_order_relaxed);
    shard->open.fetch_add(1, std::memory_order_relaxed);
    shard->accepted.fetch_add(1, std::memory_order_relaxed);
    if (shard == shards_[0]) return shard->admit(std::move(socket));  // this thread's loop
    asio::post(shard->io(),
               [shard, socket = std::move(socket)]() mutable { shard->admit(std::move(socket)); });
  }

  // Over the limit: answer 503 at once, without queuing, and close. Best effort: whatever does
  // not fit in the socket buffer is dropped.
  void refuse(tcp::socket socket) {
    ++refused_;
    auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ >= std::chrono::seconds(10)) {
      spdlog::warn("http: {} connection(s) refused with 503: {} already open (the limit)", refused_,
                   shared_->open.load());
      refused_ = 0;
      last_refusal_log_ = now;
    }
    ResponsePlan plan = plan_error(503, false, false);
    plan.headers.push_back({"Retry-After", "1"});
    std::string bytes = serialize_head(plan, static_cast<std::int64_t>(std::time(nullptr)));
    bytes += plan.body;
    error_code ec;
    RequestRecord record;
    auto peer = socket.remote_endpoint(ec);
    if (!ec && peer.address().is_v4()) record.client = Ipv4(peer.address().to_v4().to_uint());
    socket.native_non_blocking(true, ec);
    int fd = socket.native_handle();
    ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    char sink[4096];  // read what already arrived so the close is not a reset
    for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    socket.close(ec);

    if (!*shared_->observer) return;
    const std::size_t head = bytes.size() - plan.body.size();
    record.method = "-";
    record.status = 503;
    record.bytes_planned = plan.body.size();
    record.bytes_sent = sent > 0 && static_cast<std::size_t>(sent) > head
                            ? static_cast<std::size_t>(sent) - head
                            : 0;
    record.cut_short = record.bytes_sent < record.bytes_planned;
    if (record.cut_short) record.error = "the socket buffer took only part of the answer";
    try {
      (*shared_->observer)(record);
    } catch (const std::exception& e) {
      spdlog::warn("http: the request observer failed: {}", e.what());
    }
  }

  struct Own {  // a loop with a thread of its own
    std::unique_ptr<asio::io_context> io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
  };

  std::shared_ptr<Shared> shared_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::size_t next_ = 0;  // where pick() begins
  std::uint64_t refused_ = 0;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  // The loops' io_contexts before the shards: the shards (their timers and sockets) go first.
  std::vector<Own> own_;
  std::vector<std::shared_ptr<Shard>> shards_;
};

Server::Server(asio::io_context& io, ServerConfig config, files::NameSpace& names) {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  listener_ = std::make_shared<Listener>(io, config, names);
}

Server::~Server() {
  listener_->stop();
}

void Server::start() {
  listener_->start();
}

void Server::stop() {
  listener_->stop();
}

void Server::set_observer(std::function<void(const RequestRecord&)> observer) {
  listener_->set_observer(std::move(observer));
}

std::uint16_t Server::port() const {
  return listener_->port();
}

}  // namespace pxed::http

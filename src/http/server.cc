#include "http/server.h"

#include <sys/socket.h>

#include <csignal>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/connection.h"
#include "http/response_head.h"
#include "http/router.h"

namespace pxed::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

class Server::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, ServerConfig config, files::NameSpace& names)
      : config_(config), names_(names), acceptor_(io), sweep_(io), retry_(io) {
    tcp::endpoint ep(asio::ip::address_v4(config.address.value()), config.port);
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::system_error(
          ec, fmt::format("cannot listen on HTTP {}:{}", config.address.to_string(), config.port));
    }
    port_ = acceptor_.local_endpoint().port();
  }

  std::uint16_t port() const { return port_; }
  void set_observer(RequestObserver observer) { *observer_ = std::move(observer); }

  void start() {
    if (started_ || stopped_) return;
    started_ = true;
    spdlog::info("http: listening on {}:{}", config_.address.to_string(), port_);
    accept();
    sweep();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    error_code ec;
    acceptor_.close(ec);
    sweep_.cancel();
    retry_.cancel();
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(connections_.size());
    for (auto& [ptr, conn] : connections_) all.push_back(conn);
    for (auto& conn : all) conn->close();
    connections_.clear();
    if (started_) {
      spdlog::info("http: stopped listening on {}:{}, closed {} connection(s)",
                   config_.address.to_string(), port_, all.size());
    }
  }

 private:
  void accept() {
    acceptor_.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
      if (self->stopped_) return;
      if (ec) return self->accept_failed(ec);
      self->admit(std::move(socket));
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

  void admit(tcp::socket socket) {
    if (connections_.size() >= config_.max_connections) return refuse(std::move(socket));
    std::weak_ptr<Listener> weak = weak_from_this();
    ConnectionLimits limits;
    limits.header_timeout = config_.header_timeout;
    limits.idle_timeout = config_.idle_timeout;
    limits.max_requests = config_.max_requests_per_connection;
    auto conn = std::make_shared<Connection>(
        std::move(socket), names_, limits,
        [weak](Connection* c) {
          if (auto self = weak.lock()) self->connections_.erase(c);
        },
        observer_, handler_);
    connections_.emplace(conn.get(), conn);
    conn->start();
  }

  // Over the limit: answer 503 at once, without queuing, and close. Best effort: whatever does
  // not fit in the socket buffer is dropped.
  void refuse(tcp::socket socket) {
    ++refused_;
    auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ >= std::chrono::seconds(10)) {
      spdlog::warn("http: {} connection(s) refused with 503: {} already open (the limit)", refused_,
                   connections_.size());
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

    if (!*observer_) return;
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
      (*observer_)(record);
    } catch (const std::exception& e) {
      spdlog::warn("http: the request observer failed: {}", e.what());
    }
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

  ServerConfig config_;
  files::NameSpace& names_;
  tcp::acceptor acceptor_;
  asio::steady_timer sweep_;  // one timer checks every connection's deadline once a second
  asio::steady_timer retry_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  // Shared with the connections, which read it for every response.
  std::shared_ptr<RequestObserver> observer_ = std::make_shared<RequestObserver>();
  std::shared_ptr<const Handler> handler_ = std::make_shared<const Handler>(config_.handler);
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::uint64_t refused_ = 0;
  std::chrono::steady_clock::time_point last_refusal_log_{};
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

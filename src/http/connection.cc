#include "http/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "http/response_head.h"
#include "http/target.h"

namespace pxed::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

constexpr std::uint64_t kWriteBudget = 2 * 1024 * 1024;  // per turn, for fairness
constexpr std::size_t kLingerChunk = 4096;
constexpr std::uint64_t kLingerMax = 256 * 1024;

bool is(const error_code& ec, bhttp::error e) {
  return ec == bhttp::make_error_code(e);
}

bool is_parse_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

std::string joined(const bhttp::request<bhttp::empty_body>& msg, bhttp::field f) {
  std::string out;
  auto [first, last] = msg.equal_range(f);
  for (auto it = first; it != last; ++it) {
    if (!out.empty()) out += ", ";
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

Request to_request(const bhttp::request<bhttp::empty_body>& msg, bool has_body) {
  Request r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  r.version = msg.version();
  r.connection = joined(msg, bhttp::field::connection);
  if (msg.count(bhttp::field::range) == 1) r.range = joined(msg, bhttp::field::range);
  r.if_range = joined(msg, bhttp::field::if_range);
  r.has_body = has_body;
  return r;
}

double seconds_since(Connection::Clock::time_point t) {
  return std::chrono::duration<double>(Connection::Clock::now() - t).count();
}

// Size and date to plan with. A real file's descriptor may be shared with transfers that began
// up to a second ago; fstat says what the file holds now if it was rewritten in place since
// (a file replaced by another one keeps its own descriptor, size and date, which still agree).
FileMeta meta_of(const files::Content& content) {
  struct stat st {};
  if (content.fd() >= 0 && ::fstat(content.fd(), &st) == 0 && S_ISREG(st.st_mode)) {
    return FileMeta{static_cast<std::uint64_t>(st.st_size),
                    static_cast<std::int64_t>(st.st_mtim.tv_sec)};
  }
  return FileMeta{content.size(), content.mtime()};
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, files::NameSpace& names,
                       ConnectionLimits limits, std::function<void(Connection*)> on_closed)
    : socket_(std::move(socket)),
      names_(names),
      limits_(limits),
      on_closed_(std::move(on_closed)),
      buffer_(limits.header_limit * 2) {
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("?") : fmt::format("{}:{}", ep.address().to_string(), ep.port());
  if (!ec && ep.address().is_v4()) client_ = Ipv4(ep.address().to_v4().to_uint());
}

void Connection::start() {
  error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.native_non_blocking(true, ec);  // the ResponseWriter writes without blocking
  if (ec) {
    spdlog::warn("http: {} cannot make the socket non-blocking: {}", peer_, ec.message());
    close();
    return;
  }
  state_ = State::reading;
  deadline_ = Clock::now() + limits_.header_timeout;
  read_header();
}

void Connection::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  error_code ec;
  socket_.close(ec);
  content_.reset();
  if (auto cb = std::move(on_closed_)) cb(this);
}

void Connection::check_deadline(Clock::time_point now) {
  if (state_ == State::closed || now < deadline_) return;
  switch (state_) {
    case State::reading:
      spdlog::info("http: {} closed: request headers did not arrive within {} s", peer_,
                   limits_.header_timeout.count());
      break;
    case State::idle:
      spdlog::debug("http: {} idle keep-alive connection closed after {} s", peer_,
                    limits_.idle_timeout.count());
      break;
    case State::writing:
      log_outcome(fmt::format("the client read nothing for {} s", limits_.send_timeout.count()));
      break;
    case State::lingering:
    case State::closed:
      break;
  }
  close();
}

void Connection::wait_for_request() {
  if (buffer_.size() > 0) {  // a pipelined request is already here
    state_ = State::reading;
    deadline_ = Clock::now() + limits_.header_timeout;
    read_header();
    return;
  }
  state_ = State::idle;
  deadline_ = Clock::now() + limits_.idle_timeout;
  socket_.async_wait(asio::socket_base::wait_read, [self = shared_from_this()](error_code ec) {
    if (self->state_ == State::closed) return;
    if (ec) return self->close();
    self->state_ = State::reading;
    self->deadline_ = Clock::now() + self->limits_.header_timeout;
    self->read_header();
  });
}

void Connection::read_header() {
  parser_.emplace();
  parser_->header_limit(limits_.header_limit);
  parser_->body_limit(0);  // bodies are refused; a Content-Length > 0 stops the parse
  bhttp::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(error_code ec) {
  if (state_ == State::closed) return;
  if (!ec) return handle_request(parser_->chunked());
  if (is(ec, bhttp::error::end_of_stream)) return close();  // closed between requests
  if (is(ec, bhttp::error::partial_message)) {
    spdlog::debug("http: {} closed in the middle of request headers", peer_);
    return close();
  }
  if (is(ec, bhttp::error::header_limit) || is(ec, bhttp::error::buffer_overflow)) {
    return refuse_unparsable(431, "request headers over the size limit");
  }
  // The start line and fields were parsed before Content-Length was found too big.
  if (is(ec, bhttp::error::body_limit)) return handle_request(true);
  if (is_parse_error(ec)) return refuse_unparsable(400, "malformed request: " + ec.message());
  if (ec != asio::error::operation_aborted) {
    spdlog::debug("http: {} read failed: {}", peer_, ec.message());
  }
  close();
}

void Connection::refuse_unparsable(unsigned status, const std::string& why) {
  request_line_ = "-";
  started_ = Clock::now();
  note_ = " " + why;
  buffer_.consume(buffer_.size());
  respond(plan_error(status, false, false), std::nullopt);
}

void Connection::handle_request(bool has_body) {
  started_ = Clock::now();
  note_.clear();
  Request request = to_request(parser_->get(), has_body);
  request_line_ =
      fmt::format("{} {}", printable_target(request.method, 20), printable_target(request.target));

  auto routed = route_request(request);
  if (auto* plan = std::get_if<ResponsePlan>(&routed)) {
    return respond(std::move(*plan), std::nullopt);
  }
  const auto& wanted = std::get<FileWanted>(routed);
  auto opened = names_.open(wanted.path, files::Requester{client_, "http"});
  Result<FileMeta> meta = opened ? Result<FileMeta>(meta_of(*opened))
                                 : Result<FileMeta>(tl::unexpected(opened.error()));
  if (!opened && opened.error().code == Errc::io) {
    spdlog::warn("http: {} cannot open {}: {}", peer_, wanted.path, opened.error().message);
  }
  ResponsePlan plan = plan_file_response(request, wanted, meta);
  std::optional<files::Content> content;
  if (opened) content = std::move(*opened);
  respond(std::move(plan), std::move(content));
}

void Connection::respond(ResponsePlan plan, std::optional<files::Content> content) {
  std::string bytes = serialize_head(plan, static_cast<std::int64_t>(std::time(nullptr)));
  bytes += plan.body;
  head_size_ = bytes.size();
  generated_ = 0;
  int fd = -1;
  ByteRange file_range;
  if (content && plan.file_range) {
    const ByteRange range = *plan.file_range;
    if (content->fd() >= 0) {
      fd = content->fd();  // a real file: sendfile from the shared descriptor
      file_range = range;
    } else {
      // Generated bytes are in memory already: they follow the head in the same buffer.
      bytes.resize(head_size_ + static_cast<std::size_t>(range.length));
      auto read = content->read(reinterpret_cast<std::uint8_t*>(bytes.data() + head_size_),
                                static_cast<std::size_t>(range.length), range.first);
      if (!read) {
        spdlog::warn("http: {} cannot read generated {}: {}", peer_, plan.path,
                     read.error().message);
        return respond(plan_error(500, false, false), std::nullopt);
      }
      generated_ = range.length;
    }
  }
  plan_ = std::move(plan);
  content_ = std::move(content);
  writer_ = ResponseWriter(std::move(bytes), fd, file_range);
  written_ = 0;
  state_ = State::writing;
  deadline_ = Clock::now() + limits_.send_timeout;
  pump();
}

void Connection::pump() {
  auto status = writer_.pump(socket_.native_handle(), kWriteBudget);
  if (writer_.bytes_written() != written_) {
    written_ = writer_.bytes_written();
    deadline_ = Clock::now() + limits_.send_timeout;
  }
  auto again = [self = shared_from_this()](error_code ec) {
    if (self->state_ == State::closed) return;
    if (ec) {
      self->log_outcome(ec.message());
      return self->close();
    }
    self->pump();
  };
  switch (status) {
    case ResponseWriter::Status::done:
      return finish_response();
    case ResponseWriter::Status::blocked:
      return socket_.async_wait(asio::socket_base::wait_write, again);
    case ResponseWriter::Status::yielded:
      return asio::post(socket_.get_executor(), [again] { again(error_code()); });
    case ResponseWriter::Status::failed:
      log_outcome(writer_.error());
      return close();
  }
}

void Connection::finish_response() {
  log_outcome("");
  content_.reset();
  if (plan_.keep_alive) return wait_for_request();
  linger();
}

void Connection::linger() {
  // Half-close and read what the client still sends, so that closing with unread data does
  // not turn into a reset that could destroy the answer before the client reads it.
  error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
  if (ec) return close();
  state_ = State::lingering;
  deadline_ = Clock::now() + limits_.linger_timeout;
  lingered_ = 0;
  if (!linger_buffer_) linger_buffer_ = std::make_unique<char[]>(kLingerChunk);
  drain();
}

void Connection::drain() {
  socket_.async_read_some(asio::buffer(linger_buffer_.get(), kLingerChunk),
                          [self = shared_from_this()](error_code ec, std::size_t n) {
                            if (self->state_ == State::closed) return;
                            self->lingered_ += n;
                            if (ec || self->lingered_ > kLingerMax) return self->close();
                            self->drain();
                          });
}

void Connection::log_outcome(const std::string& failure) const {
  std::uint64_t sent = writer_.file_bytes_sent();
  std::uint64_t total = writer_.file_bytes_total();
  const char* kind = content_ && content_->generated() ? " (generated)" : "";
  if (generated_ > 0) {
    const std::uint64_t written = writer_.bytes_written();
    total = generated_;
    sent = written > head_size_ ? std::min<std::uint64_t>(written - head_size_, generated_) : 0;
  }
  std::string range;
  if (plan_.status == 206) {
    if (const std::string* cr = plan_.header("Content-Range")) range = " (" + *cr + ")";
  }
  if (!failure.empty()) {
    spdlog::info("http: {} \"{}\" {} cut short after {} of {} bytes{}{} in {:.3f} s: {}", peer_,
                 request_line_, plan_.status, sent, total, kind, range, seconds_since(started_),
                 failure);
  } else if (plan_.status < 300 && request_line_.rfind("HEAD ", 0) == 0) {
    spdlog::info("http: {} \"{}\" {} headers only{}", peer_, request_line_, plan_.status, kind);
  } else if (plan_.status < 300) {
    spdlog::info("http: {} \"{}\" {} {} bytes{}{} in {:.3f} s", peer_, request_line_, plan_.status,
                 total, kind, range, seconds_since(started_));
  } else {
    spdlog::info("http: {} \"{}\" {}{}", peer_, request_line_, plan_.status, note_);
  }
}

}  // namespace pxed::http

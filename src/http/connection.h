// One HTTP/1.1 client connection: reads request headers with Beast's parser, asks the router
// what to answer, and writes the answer with a ResponseWriter (sendfile for file bodies).
// Keeps the connection for further requests (pipelined ones too) when the plan allows, and
// closes it after a final answer with a short lingering read so the client sees the answer
// rather than a reset. Runs on one io_context thread; the server's sweep calls
// check_deadline() every second to enforce the timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "core/file_root.h"
#include "http/response_writer.h"
#include "http/router.h"

namespace pxed::http {

struct ConnectionLimits {
  std::chrono::seconds header_timeout{10};  // from connect or first byte to a full header block
  std::chrono::seconds idle_timeout{30};    // between requests on a kept connection
  std::chrono::seconds send_timeout{30};    // while sending, without any progress
  std::chrono::seconds linger_timeout{2};   // reading leftovers after a final answer
  std::uint32_t header_limit = 8 * 1024;    // request line and fields
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;

  // on_closed runs once, when the connection closes, with this connection.
  Connection(boost::asio::ip::tcp::socket socket, const FileRoot& root, ConnectionLimits limits,
             std::function<void(Connection*)> on_closed);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  void close();  // at once, without a goodbye; safe to call more than once
  void check_deadline(Clock::time_point now);

 private:
  enum class State { reading, idle, writing, lingering, closed };
  using Parser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

  void wait_for_request();
  void read_header();
  void on_header(boost::system::error_code ec);
  void refuse_unparsable(unsigned status, const std::string& why);
  void handle_request(bool has_body);
  void respond(ResponsePlan plan, std::optional<OpenFile> file);
  void pump();
  void finish_response();
  void linger();
  void drain();
  void log_outcome(const std::string& failure) const;

  boost::asio::ip::tcp::socket socket_;
  std::string peer_;  // "IP:PORT" for log lines
  const FileRoot& root_;
  ConnectionLimits limits_;
  std::function<void(Connection*)> on_closed_;

  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  State state_ = State::reading;
  Clock::time_point deadline_;

  // The response in flight.
  std::string request_line_;  // "METHOD TARGET" for the log, or "-" if unparsable
  std::string note_;          // said after the status in the log line
  Clock::time_point started_;
  ResponsePlan plan_;
  std::optional<OpenFile> file_;
  ResponseWriter writer_;
  std::uint64_t written_ = 0;

  std::uint64_t lingered_ = 0;
  std::unique_ptr<char[]> linger_buffer_;
};

}  // namespace pxed::http

// The HTTP server: a listening socket on the daemon's io_context and the connections it
// accepted, each serving read-only (GET and HEAD, Range, keep-alive) what the name space holds:
// the same one TFTP reads, so a file generated per client is answered alike over both.
// The connections are spread over `threads` event loops (shards), share-nothing: the first is
// the io_context given to the server, which also accepts; each other one runs on a thread the
// server owns. A new connection goes to the loop with the fewest open connections and stays
// there until it closes. One listening socket (no SO_REUSEPORT), so a second server on the same
// address and port fails to bind as before.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "core/net_types.h"
#include "files/name_space.h"
#include "http/handler.h"
#include "http/request_record.h"

namespace pxed::http {

struct ServerConfig {
  pxed::Ipv4 address;  // listen address
  std::uint16_t port = 80;
  std::size_t max_connections = 512;
  std::uint32_t max_requests_per_connection = 1000;  // 0: no limit
  std::chrono::seconds idle_timeout{30};             // between requests on a kept connection
  std::chrono::seconds header_timeout{10};           // to receive a request's headers (then 408)
  // Event loops carrying connections; 0: min(hardware threads, 4). max_connections is enforced
  // over all of them together (a 503 when the server as a whole is full), not per loop.
  unsigned threads = 0;
  // Asked before the files (the REST API); may be empty. Called from every loop's thread, so
  // from several threads at once when threads > 1: it must be thread-safe.
  Handler handler;
};

class Server {
 public:
  // Binds and listens immediately; throws std::system_error whose what() says
  // "cannot listen on HTTP ADDRESS:PORT: <reason>" if the port is in use.
  // Also sets SIGPIPE to ignored if it had the default action: sendfile(2) to a socket whose
  // peer is gone would otherwise kill the process.
  // `names` is opened from every loop's thread (it must be thread-safe, as TFTP needs it too)
  // and must outlive the server.
  Server(boost::asio::io_context& io, ServerConfig config, files::NameSpace& names);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Call these on the io_context's thread (or while it is not running).
  void start();  // starts the other loops' threads and begins accepting
  // Stops accepting and closes every connection on every loop, then stops and joins the other
  // loops' threads. Safe to call more than once; the destructor calls it.
  void stop();
  std::uint16_t port() const;  // bound port (config.port may be 0 in tests)

  // Called once per response, when it is complete or was cut short (also for the 503 sent to
  // connections over the limit), on the thread of the loop that carries the connection (the
  // first loop's for a 503): from several threads at once when there are several loops, so it
  // must be thread-safe. Set it before start(). An empty function: no calls. Exceptions it throws
  // are logged and dropped.
  void set_observer(std::function<void(const RequestRecord&)> observer);

 private:
  class Listener;  // shared with pending handlers so that none outlives what it touches
  std::shared_ptr<Listener> listener_;
};

}  // namespace pxed::http

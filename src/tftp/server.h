// The TFTP server: RFC 1350 reads (octet, netascii) and, when enabled, uploads, with the RFC
// 2347/2348/2349/7440 options. It listens on one address. Each accepted request gets its own
// Transfer (own socket = new TID) on one of `threads` event loops: the io_context given to the
// server, and one more thread for each further loop. A request goes to the loop its client's
// address and port hash to; each loop's transfers share one timer for their retransmission
// deadlines. Requests for missing files are answered at once with ERROR 1.
// All member functions are to be called on the given io_context's thread (or before it runs).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/net_types.h"
#include "files/name_space.h"
#include "files/upload_dir.h"
#include "tftp/remap.h"
#include "tftp/transfer_record.h"

namespace pxed::tftp {

struct ServerConfig {
  pxed::Ipv4 address;  // listen address (the interface's IPv4)
  std::uint16_t port = 69;
  std::uint16_t max_blksize = 65464;
  std::uint16_t max_windowsize = 64;
  int retries = 5;
  std::chrono::milliseconds default_timeout{1000};
  // Transfers at once, in all and per client address. A request over either limit is dropped
  // (logged once per client per 10 s); the client's own retransmission of it comes back later.
  std::size_t max_transfers = 2000;
  std::size_t max_transfers_per_client = 16;
  // Local ports for the transfers' sockets (their TIDs), used in turn; none: the kernel picks.
  std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range;
  Remapper remap;  // filename rewrite rules, applied before the name space is asked
  // Uploads (WRQ) land here when set (it must outlive the server); otherwise they are refused.
  const files::UploadDir* uploads = nullptr;
  std::uint64_t max_upload_size = 64 * 1024 * 1024;
  // Event loops carrying transfers (at least 1). The name space is then used from several
  // threads at once.
  unsigned threads = 1;
  // Told of every read request's end: a transfer that ended (any way) or a request answered
  // without one (not found, refused). Called on the transfer's loop thread, so from several
  // threads when threads > 1. May be empty.
  std::function<void(const TransferRecord&)> observer;
};

class Server {
 public:
  // Binds immediately; throws std::system_error whose what() says "cannot listen on
  // TFTP ADDRESS:PORT: <reason>" if the port is in use or the address is not ours.
  // Serves what `names` answers (files below the root, generated files); it must outlive the
  // server and be thread-safe when config.threads > 1.
  Server(boost::asio::io_context& io, ServerConfig config, files::NameSpace& names);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();  // begins receiving
  // Closes the listening socket, cuts every open transfer (logs each as cut) and ends the
  // server's own threads.
  void stop();
  std::uint16_t port() const;  // the bound port (useful when config.port == 0 in tests)
  // Requests (datagrams to the listening port) handed to each loop so far. Any thread.
  std::vector<std::uint64_t> requests_per_loop() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with pending handlers, which may outlive the Server
};

}  // namespace pxed::tftp

// The TFTP server: read-only, octet mode, RFC 2347/2348/2349/7440 options. It listens on one
// address; each accepted read gets its own Transfer (own socket = new TID) on the same
// io_context thread, and all transfers' retransmission deadlines share one timer. Requests for
// missing files are answered at once with ERROR 1.
// All member functions are to be called on the io_context's thread (or before it runs).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "files/name_space.h"
#include "files/upload_dir.h"
#include "tftp/remap.h"
#include "core/net_types.h"

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
};

class Server {
 public:
  // Binds immediately; throws std::system_error whose what() says "cannot listen on
  // TFTP ADDRESS:PORT: <reason>" if the port is in use or the address is not ours.
  // Serves what `names` answers (files below the root, generated files); it must outlive the
  // server and is used on the io_context's thread only.
  Server(boost::asio::io_context& io, ServerConfig config, files::NameSpace& names);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();  // begins receiving
  void stop();   // closes the listening socket and cuts every open transfer (logs each as cut)
  std::uint16_t port() const;  // the bound port (useful when config.port == 0 in tests)

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with pending handlers, which may outlive the Server
};

}  // namespace pxed::tftp

// One TFTP write transfer (WRQ) on the wire: the I/O shell around a ReceiveSession. Like a
// Transfer it has its own socket (its TID) and a deadline in the server's timer queue; it writes
// each block into a PendingUpload, which gets its real name only once the last block is in.
// Internal to the TFTP server.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/udp.hpp>

#include "files/upload_dir.h"
#include "tftp/receive_session.h"
#include "tftp/transfer.h"

namespace pxed::tftp {

class Upload : public std::enable_shared_from_this<Upload> {
 public:
  using Endpoint = boost::asio::ip::udp::endpoint;
  using DoneFn = std::function<void(const Upload&)>;

  Upload(boost::asio::ip::udp::socket socket, Endpoint client, std::string name,
         files::PendingUpload file, TransferParams params, std::uint64_t max_size,
         Transfer::Timer timer, DoneFn on_done);

  void start();
  void cut(std::string_view reason);
  void on_timer();
  const Endpoint& client() const { return client_; }
  const std::string& name() const { return name_; }
  bool finished() const { return session_.finished(); }

 private:
  void receive();
  void apply(ReceiveStep step);
  void end(UploadOutcome outcome, std::string detail);

  boost::asio::ip::udp::socket socket_;
  Endpoint client_, sender_;
  std::string client_text_, name_;
  files::PendingUpload file_;
  ReceiveSession session_;
  Transfer::Timer timer_;
  std::optional<Clock::time_point> armed_;
  Clock::time_point started_;
  Bytes recv_buf_;
  DoneFn on_done_;
  bool ended_ = false;
};

}  // namespace pxed::tftp

// One TFTP read transfer on the wire: the I/O shell around a Session. It owns the transfer's
// own UDP socket (a new TID on the server's address, port chosen by the kernel), its timer and
// the open file, which it reads with pread as the session asks for blocks. Everything runs on
// the io_context's single thread. Internal to the TFTP server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/file_root.h"
#include "tftp/session.h"

namespace pxed::tftp {

class Transfer : public std::enable_shared_from_this<Transfer> {
 public:
  using Endpoint = boost::asio::ip::udp::endpoint;
  using DoneFn = std::function<void(const Transfer&)>;

  // Opens and binds the transfer socket; throws boost::system::system_error if it cannot.
  Transfer(boost::asio::io_context& io, boost::asio::ip::address_v4 local, Endpoint client,
           std::string filename, OpenFile file, TransferParams params, DoneFn on_done);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  void start();
  // Ends the transfer now (server stopping, client restarted); logs it as cut.
  void cut(std::string_view reason);
  // Handles at once whatever the client has already sent to this transfer's socket. The
  // server calls it before judging a new RRQ from the same client: edk2 sends ERROR 8 here and
  // then a new RRQ to port 69, and the RRQ may be seen first.
  void drain();

  const Endpoint& client() const { return client_; }
  const std::string& filename() const { return filename_; }
  bool progressed() const { return session_.progressed(); }
  bool stalled() const { return session_.stalled(); }
  bool finished() const { return session_.finished(); }

 private:
  void receive();
  void on_receive(const boost::system::error_code& ec, std::size_t size);
  void on_datagram(const Endpoint& from, std::size_t size);
  void arm_timer(Clock::time_point deadline);
  void apply(Step step);
  bool send_data(const SendData& data, std::string& failure);
  void send(const Bytes& packet, const Endpoint& to);
  void end(Outcome outcome, std::string detail);

  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  std::optional<Clock::time_point> armed_;  // when the pending timer wait fires
  std::uint64_t timer_generation_ = 0;
  Endpoint client_;
  Endpoint sender_;
  std::string client_text_;
  std::string filename_;
  OpenFile file_;
  Session session_;
  Clock::time_point started_;
  Bytes send_buf_;  // DATA header + one block
  Bytes recv_buf_;
  DoneFn on_done_;
  bool ended_ = false;
};

std::string to_string(const boost::asio::ip::udp::endpoint& endpoint);

}  // namespace pxed::tftp

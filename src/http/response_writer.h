// Writes one response to a non-blocking socket: its head (with any generated body) and then a
// byte range of a file, as far as the socket takes it without blocking. The connection calls
// pump() again once the socket is writable. File bytes go with sendfile(2); if the kernel will
// not sendfile this file (EINVAL, ENOSYS) the rest goes through pread(2) and send(2).
// No Asio here, so it can be tested over a socketpair.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http/range.h"

namespace pxed::http {

class ResponseWriter {
 public:
  enum class Status {
    done,     // everything was written
    blocked,  // the socket buffer is full: wait until writable, then pump() again
    yielded,  // the budget is spent: let other connections run, then pump() again
    failed,   // the peer is gone or the file cannot be read; see error()
  };

  ResponseWriter() = default;
  // file_fd may be -1 when range.length is 0. The descriptor is borrowed, not owned.
  ResponseWriter(std::string head, int file_fd, ByteRange range);

  // Writes at most about `budget` bytes.
  Status pump(int socket_fd, std::uint64_t budget);

  const std::string& error() const { return error_; }
  std::uint64_t file_bytes_sent() const { return range_.length - remaining_; }
  std::uint64_t file_bytes_total() const { return range_.length; }
  std::uint64_t bytes_written() const { return head_sent_ + file_bytes_sent(); }

 private:
  Status send_head(int socket_fd);
  Status sendfile_some(int socket_fd, std::uint64_t budget, std::uint64_t& spent);
  Status copy_some(int socket_fd, std::uint64_t budget, std::uint64_t& spent);
  Status fail_errno(const char* what, int err);

  std::string head_;
  std::size_t head_sent_ = 0;
  int file_fd_ = -1;
  ByteRange range_;
  std::uint64_t offset_ = 0;     // next file byte to send
  std::uint64_t remaining_ = 0;  // file bytes still to send
  bool use_sendfile_ = true;
  std::vector<char> buffer_;  // pread fallback: bytes read but not yet sent
  std::size_t buffer_pos_ = 0;
  std::string error_;
};

}  // namespace pxed::http

// Writes one response to a non-blocking socket: a sequence of segments, each either bytes in
// memory (the head, error text, multipart boundaries, generated files) or a byte range of a
// file, as far as the socket takes it without blocking. The connection calls pump() again once
// the socket is writable. File bytes go with sendfile(2); if the kernel will not sendfile this
// file (EINVAL, ENOSYS) the rest goes through pread(2) and send(2).
// No Asio here, so it can be tested over a socketpair.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/range.h"

namespace pxed::http {

struct WriteSegment {
  std::string bytes;              // sent as is when file is not set
  std::optional<ByteRange> file;  // otherwise these bytes of the writer's file
};

class ResponseWriter {
 public:
  enum class Status {
    done,     // everything was written
    blocked,  // the socket buffer is full: wait until writable, then pump() again
    yielded,  // the budget is spent: let other connections run, then pump() again
    failed,   // the peer is gone or the file cannot be read; see error()
  };

  ResponseWriter() = default;
  // file_fd may be -1 when no segment refers to the file. The descriptor is borrowed.
  ResponseWriter(std::vector<WriteSegment> segments, int file_fd);
  // A head (and whatever follows it in memory), then one range of the file.
  ResponseWriter(std::string head, int file_fd, ByteRange range);

  // Writes at most about `budget` bytes of the file (memory segments are not counted).
  Status pump(int socket_fd, std::uint64_t budget);

  const std::string& error() const { return error_; }
  std::uint64_t file_bytes_sent() const { return file_sent_; }
  std::uint64_t file_bytes_total() const { return file_total_; }
  std::uint64_t bytes_written() const { return written_; }
  std::uint64_t bytes_total() const { return total_; }

 private:
  Status send_bytes(int socket_fd, const std::string& bytes);
  Status sendfile_some(int socket_fd, std::uint64_t budget, std::uint64_t& spent);
  Status copy_some(int socket_fd, std::uint64_t budget, std::uint64_t& spent);
  Status fail_errno(const char* what, int err);
  void next_segment();
  bool more_after_current() const { return current_ + 1 < segments_.size(); }

  std::vector<WriteSegment> segments_;
  std::size_t current_ = 0;  // segment being written
  std::size_t pos_ = 0;      // bytes of a memory segment already sent
  int file_fd_ = -1;
  std::uint64_t offset_ = 0;     // next file byte to send, in a file segment
  std::uint64_t remaining_ = 0;  // file bytes of the current segment still to send
  std::uint64_t written_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t file_sent_ = 0;
  std::uint64_t file_total_ = 0;
  bool use_sendfile_ = true;
  std::vector<char> buffer_;  // pread fallback: bytes read but not yet sent
  std::size_t buffer_pos_ = 0;
  std::string error_;
};

}  // namespace pxed::http

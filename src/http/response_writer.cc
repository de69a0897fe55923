#include "http/response_writer.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pxed::http {
namespace {

constexpr std::uint64_t kMaxSendfile = 0x7ffff000;  // what Linux moves in one call at most
constexpr std::size_t kCopyBuffer = 64 * 1024;

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK;
}

}  // namespace

ResponseWriter::ResponseWriter(std::string head, int file_fd, ByteRange range)
    : head_(std::move(head)),
      file_fd_(file_fd),
      range_(range),
      offset_(range.first),
      remaining_(range.length) {}

ResponseWriter::Status ResponseWriter::fail_errno(const char* what, int err) {
  error_ = fmt::format("{}: {}", what, std::strerror(err));
  return Status::failed;
}

ResponseWriter::Status ResponseWriter::send_head(int socket_fd) {
  // MSG_MORE lets the head share a segment with the first file bytes.
  int flags = MSG_NOSIGNAL | (remaining_ > 0 ? MSG_MORE : 0);
  while (head_sent_ < head_.size()) {
    ssize_t n = ::send(socket_fd, head_.data() + head_sent_, head_.size() - head_sent_, flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) return Status::blocked;
      return fail_errno("send", errno);
    }
    head_sent_ += static_cast<std::size_t>(n);
  }
  return Status::done;
}

ResponseWriter::Status ResponseWriter::sendfile_some(int socket_fd, std::uint64_t budget,
                                                     std::uint64_t& spent) {
  while (remaining_ > 0 && spent < budget) {
    std::uint64_t want = std::min({remaining_, budget - spent, kMaxSendfile});
    auto off = static_cast<off_t>(offset_);
    ssize_t n = ::sendfile(socket_fd, file_fd_, &off, static_cast<std::size_t>(want));
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (would_block(err)) return Status::blocked;
      if ((err == EINVAL || err == ENOSYS) && file_bytes_sent() == 0) {
        use_sendfile_ = false;  // this file system cannot; copy instead
        return copy_some(socket_fd, budget, spent);
      }
      return fail_errno("sendfile", err);
    }
    if (n == 0) {
      error_ = "the file ended early (it shrank while being sent)";
      return Status::failed;
    }
    offset_ += static_cast<std::uint64_t>(n);
    remaining_ -= static_cast<std::uint64_t>(n);
    spent += static_cast<std::uint64_t>(n);
  }
  return remaining_ == 0 ? Status::done : Status::yielded;
}

ResponseWriter::Status ResponseWriter::copy_some(int socket_fd, std::uint64_t budget,
                                                 std::uint64_t& spent) {
  while (spent < budget) {
    if (buffer_pos_ == buffer_.size()) {  // refill
      if (remaining_ == 0) return Status::done;
      if (buffer_.capacity() < kCopyBuffer) buffer_.reserve(kCopyBuffer);
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, kCopyBuffer));
      buffer_.resize(want);
      ssize_t got = ::pread(file_fd_, buffer_.data(), want, static_cast<off_t>(offset_));
      if (got < 0) {
        buffer_.clear();
        buffer_pos_ = 0;
        if (errno == EINTR) continue;
        return fail_errno("pread", errno);
      }
      if (got == 0) {
        error_ = "the file ended early (it shrank while being sent)";
        return Status::failed;
      }
      buffer_.resize(static_cast<std::size_t>(got));
      buffer_pos_ = 0;
      offset_ += static_cast<std::uint64_t>(got);
    }
    ssize_t n =
        ::send(socket_fd, buffer_.data() + buffer_pos_, buffer_.size() - buffer_pos_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) return Status::blocked;
      return fail_errno("send", errno);
    }
    buffer_pos_ += static_cast<std::size_t>(n);
    remaining_ -= static_cast<std::uint64_t>(n);
    spent += static_cast<std::uint64_t>(n);
  }
  return remaining_ == 0 && buffer_pos_ == buffer_.size() ? Status::done : Status::yielded;
}

ResponseWriter::Status ResponseWriter::pump(int socket_fd, std::uint64_t budget) {
  Status s = send_head(socket_fd);
  if (s != Status::done) return s;
  if (remaining_ == 0 && buffer_pos_ == buffer_.size()) return Status::done;
  std::uint64_t spent = 0;
  return use_sendfile_ ? sendfile_some(socket_fd, budget, spent)
                       : copy_some(socket_fd, budget, spent);
}

}  // namespace pxed::http

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

std::vector<WriteSegment> head_and_range(std::string head, ByteRange range) {
  std::vector<WriteSegment> s;
  s.push_back({std::move(head), std::nullopt});
  if (range.length > 0) s.push_back({std::string(), range});
  return s;
}

}  // namespace

ResponseWriter::ResponseWriter(std::vector<WriteSegment> segments, int file_fd)
    : segments_(std::move(segments)), file_fd_(file_fd) {
  for (const WriteSegment& s : segments_) {
    if (s.file) {
      file_total_ += s.file->length;
      total_ += s.file->length;
    } else {
      total_ += s.bytes.size();
    }
  }
  current_ = 0;
  pos_ = 0;
  if (!segments_.empty() && segments_[0].file) {
    offset_ = segments_[0].file->first;
    remaining_ = segments_[0].file->length;
  }
}

ResponseWriter::ResponseWriter(std::string head, int file_fd, ByteRange range)
    : ResponseWriter(head_and_range(std::move(head), range), file_fd) {}

ResponseWriter::Status ResponseWriter::fail_errno(const char* what, int err) {
  error_ = fmt::format("{}: {}", what, std::strerror(err));
  return Status::failed;
}

void ResponseWriter::next_segment() {
  ++current_;
  pos_ = 0;
  remaining_ = 0;
  if (current_ < segments_.size() && segments_[current_].file) {
    offset_ = segments_[current_].file->first;
    remaining_ = segments_[current_].file->length;
  }
}

ResponseWriter::Status ResponseWriter::send_bytes(int socket_fd, const std::string& bytes) {
  // MSG_MORE lets these bytes share a segment with what follows.
  int flags = MSG_NOSIGNAL | (more_after_current() ? MSG_MORE : 0);
  while (pos_ < bytes.size()) {
    ssize_t n = ::send(socket_fd, bytes.data() + pos_, bytes.size() - pos_, flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) return Status::blocked;
      return fail_errno("send", errno);
    }
    pos_ += static_cast<std::size_t>(n);
    written_ += static_cast<std::uint64_t>(n);
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
      if ((err == EINVAL || err == ENOSYS) && file_sent_ == 0) {
        use_sendfile_ = false;  // this file system cannot; copy instead
        return copy_some(socket_fd, budget, spent);
      }
      return fail_errno("sendfile", err);
    }
    if (n == 0) {
      error_ = "the file ended early (it shrank while being sent)";
      return Status::failed;
    }
    auto sent = static_cast<std::uint64_t>(n);
    offset_ += sent;
    remaining_ -= sent;
    spent += sent;
    written_ += sent;
    file_sent_ += sent;
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
        buffer_.clear();
        buffer_pos_ = 0;
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
    auto sent = static_cast<std::uint64_t>(n);
    buffer_pos_ += static_cast<std::size_t>(n);
    remaining_ -= sent;
    spent += sent;
    written_ += sent;
    file_sent_ += sent;
  }
  return remaining_ == 0 && buffer_pos_ == buffer_.size() ? Status::done : Status::yielded;
}

ResponseWriter::Status ResponseWriter::pump(int socket_fd, std::uint64_t budget) {
  std::uint64_t spent = 0;
  while (current_ < segments_.size()) {
    const WriteSegment& seg = segments_[current_];
    Status s;
    if (!seg.file) {
      s = send_bytes(socket_fd, seg.bytes);
    } else if (remaining_ == 0 && buffer_pos_ == buffer_.size()) {
      s = Status::done;
    } else if (spent >= budget) {
      return Status::yielded;
    } else {
      s = use_sendfile_ ? sendfile_some(socket_fd, budget, spent)
                        : copy_some(socket_fd, budget, spent);
    }
    if (s != Status::done) return s;
    next_segment();
  }
  return Status::done;
}

}  // namespace pxed::http

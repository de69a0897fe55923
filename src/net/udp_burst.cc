#include "net/udp_burst.h"

#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace pxed::net {

namespace {

constexpr std::size_t kMmsgBatch = 64;

}  // namespace

UdpBurst::Outcome UdpBurst::send(int fd, const sockaddr_in& to, ByteView data,
                                 std::size_t segment) {
  if (data.empty() || segment == 0) return {};
  if (gso_ && data.size() > segment) {
    bool refused = false;
    Outcome out = send_gso(fd, to, data, segment, refused);
    if (!refused) return out;
    gso_ = false;  // this path will not take GSO; the rest goes datagram by datagram
    Outcome rest = send_mmsg(fd, to, data.subspan(out.sent * segment), segment);
    return {out.sent + rest.sent, rest.error};
  }
  return send_mmsg(fd, to, data, segment);
}

UdpBurst::Outcome UdpBurst::send_gso(int fd, const sockaddr_in& to, ByteView data,
                                     std::size_t segment, bool& refused) {
  const std::size_t per_send =
      std::max<std::size_t>(1, std::min(kMaxSegments, kMaxBytes / segment));
  const std::size_t total = (data.size() + segment - 1) / segment;
  Outcome out;
  while (out.sent < total) {
    const std::size_t first = out.sent * segment;
    const std::size_t count = std::min(per_send, total - out.sent);
    const std::size_t length = std::min(count * segment, data.size() - first);

    iovec iov{const_cast<std::uint8_t*>(data.data() + first), length};
    msghdr msg{};
    msg.msg_name = const_cast<sockaddr_in*>(&to);
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(std::uint16_t))> control{};
    if (count > 1) {
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto gso_size = static_cast<std::uint16_t>(segment);
      std::memcpy(CMSG_DATA(cm), &gso_size, sizeof gso_size);
    }
    ssize_t n;
    do {
      n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      // EIO: the device cannot checksum segments; EINVAL: a segment over the route's MTU, or a
      // kernel without UDP_SEGMENT (ENOPROTOOPT).
      if (count > 1 &&
          (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
        refused = true;
      } else {
        out.error = errno;
      }
      return out;
    }
    out.sent += count;
  }
  return out;
}

UdpBurst::Outcome UdpBurst::send_mmsg(int fd, const sockaddr_in& to, ByteView data,
                                      std::size_t segment) {
  const std::size_t total = (data.size() + segment - 1) / segment;
  Outcome out;
  if (total == 1) {  // a lock-step transfer: sendto costs less than a message vector
    ssize_t n;
    do {
      n = ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&to), sizeof to);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      out.error = errno;
    } else {
      out.sent = 1;
    }
    return out;
  }
  std::array<iovec, kMmsgBatch> iov{};
  std::array<mmsghdr, kMmsgBatch> msgs{};
  while (out.sent < total) {
    const std::size_t count = std::min(kMmsgBatch, total - out.sent);
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t first = (out.sent + i) * segment;
      iov[i] = iovec{const_cast<std::uint8_t*>(data.data() + first),
                     std::min(segment, data.size() - first)};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = const_cast<sockaddr_in*>(&to);
      msgs[i].msg_hdr.msg_namelen = sizeof to;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
      n = ::sendmmsg(fd, msgs.data(), static_cast<unsigned>(count), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      out.error = errno;
      return out;
    }
    out.sent += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < count) {
      out.error = EAGAIN;  // the send buffer is full: the rest waits for retransmission
      return out;
    }
  }
  return out;
}

}  // namespace pxed::net

// Sends a run of UDP datagrams to one peer in as few system calls as the kernel allows: the
// datagrams lie back to back in one buffer, all `segment` bytes long but the last, and go out
// as one UDP GSO send (UDP_SEGMENT: the kernel cuts the buffer into datagrams, once, below the
// socket layer) or, where GSO is refused (a device without checksum offload, a route whose MTU
// is below the segment), as one sendmmsg(2). A TFTP window is such a run.
//
// I/O only; the datagrams on the wire are the same either way.
#pragma once

#include <netinet/in.h>

#include <cstddef>

#include "core/bytes.h"

namespace pxed::net {

class UdpBurst {
 public:
  struct Outcome {
    std::size_t sent = 0;  // datagrams the kernel took
    int error = 0;         // errno of the first refusal, if not all were taken
  };

  // One GSO send carries at most this many datagrams (64 before Linux 6.11) and this many
  // bytes: an IPv4 datagram's worth, 65535 less the IP and UDP headers.
  static constexpr std::size_t kMaxSegments = 64;
  static constexpr std::size_t kMaxBytes = 65535 - 20 - 8;

  // `gso`: false sends with sendmmsg only (for tests of that path).
  explicit UdpBurst(bool gso = true) : gso_(gso) {}

  // `fd`: a datagram socket (blocking or not). Datagrams the kernel does not take (a full send
  // buffer) are reported, not retried: the protocol's retransmission covers them.
  Outcome send(int fd, const sockaddr_in& to, ByteView data, std::size_t segment);

 private:
  Outcome send_gso(int fd, const sockaddr_in& to, ByteView data, std::size_t segment,
                   bool& refused);
  static Outcome send_mmsg(int fd, const sockaddr_in& to, ByteView data, std::size_t segment);

  bool gso_;
};

}  // namespace pxed::net

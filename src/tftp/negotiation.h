// What a read request may ask for, and what we grant: request checks (RRQ only, octet only)
// and option negotiation per RFC 2347 (OACK), 2348 (blksize), 2349 (timeout, tsize) and
// RFC 7440 (windowsize). Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "tftp/packet.h"

namespace pxed::tftp {

struct Limits {
  std::uint16_t max_blksize = 65464;                // never grant a larger blksize (8..65464)
  std::uint16_t max_windowsize = 64;                // never grant a larger windowsize (>= 1)
  int retries = 5;                                  // retransmissions before giving up
  std::chrono::milliseconds default_timeout{1000};  // unless the client negotiates one
};

// The RFC limits on option values.
constexpr std::uint16_t kMinBlksize = 8;
constexpr std::uint16_t kMaxBlksize = 65464;
constexpr std::uint16_t kDefaultBlksize = 512;
constexpr int kMinTimeoutSeconds = 1;
constexpr int kMaxTimeoutSeconds = 255;
constexpr int kMaxBackoff = 4;

// The shape of one transfer once options are settled.
struct TransferParams {
  std::uint16_t blksize = kDefaultBlksize;
  std::uint16_t windowsize = 1;
  std::chrono::milliseconds timeout{1000};
  int retries = 5;
  // Each retransmission doubles the wait (up to kMaxBackoff times `timeout`), unless the client
  // set the timeout itself (RFC 2349): then it is kept as given.
  bool backoff = true;
  // The options granted, in the client's order and spelling, with the values we answer. Empty
  // means no OACK: the transfer starts with DATA 1.
  std::vector<TftpOption> accepted;

  bool send_oack() const { return !accepted.empty(); }
};

// Why a request is refused before any file is looked at.
struct Refusal {
  ErrorCode code;
  std::string message;
};

// The largest block that fits one IPv4 packet on a link with this MTU, so that no DATA packet
// is fragmented: MTU - 20 (IPv4) - 8 (UDP) - 4 (TFTP header), within 8..65464.
std::uint16_t blksize_for_mtu(unsigned mtu);

// A WRQ when uploads are off -> access violation (read-only server), and in any mode but octet
// -> error 0; a mode other than octet or netascii (RFC 1350's "mail", or anything else) -> 0.
std::optional<Refusal> check_request(const Request& request, bool uploads = false);

// Settles the options of an accepted WRQ: blksize and timeout as for a read, tsize echoed (the
// client says how much it will send; a size over `max_size` is refused with ERROR 3), no
// windowsize (uploads are lock-step).
Result<TransferParams> negotiate_upload(const std::vector<TftpOption>& requested,
                                        const Limits& limits, std::uint64_t max_size);

// RFC 1350 netascii (the Telnet NVT form of RFC 764): every LF becomes CR LF and every bare CR
// becomes CR NUL. A text file sent in netascii mode is sent converted.
Bytes to_netascii(ByteView text);
// The largest file sent in netascii mode (it is converted in memory); larger ones are refused.
constexpr std::uint64_t kMaxNetasciiFile = 16 * 1024 * 1024;

// Settles the options of an accepted RRQ for a file of `file_size` bytes. Unknown options and
// options with out-of-range or non-numeric values are left out of the OACK (RFC 2347); blksize
// above what we allow and windowsize above our maximum are lowered; tsize is answered with the
// real size, and left out for an empty file (curl rejects "tsize 0"). The first occurrence of a
// repeated option wins.
TransferParams negotiate(const std::vector<TftpOption>& requested, std::uint64_t file_size,
                         const Limits& limits);

// "blksize=1432 tsize=46909" (lower-case names) for log lines; empty if nothing was granted.
std::string describe_options(const std::vector<TftpOption>& accepted);

}  // namespace pxed::tftp

// What one TFTP request came to, for observers (the boot timeline, metrics): a finished or
// failed transfer, or a request answered without one (not found, refused). Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "core/net_types.h"

namespace pxed::tftp {

struct TransferRecord {
  Ipv4 client;
  std::uint16_t port = 0;
  std::string op = "RRQ";  // RRQ or WRQ
  std::string filename;    // as the client asked for it (remapping shown as "a => b")
  bool ok = false;         // the whole file was acknowledged (RRQ) or stored (WRQ)
  std::string outcome;     // "sent", "not found", "timed out", "refused: ...", ...
  std::uint64_t bytes = 0;      // payload acknowledged (RRQ) or received (WRQ)
  std::uint64_t file_size = 0;  // 0 if no file was opened
  double seconds = 0;
  std::uint16_t blksize = 0;     // 0 if no transfer ran
  std::uint16_t windowsize = 0;  // 0 if no transfer ran
};

}  // namespace pxed::tftp

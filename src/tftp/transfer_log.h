// The one line logged when a TFTP transfer ends, built by pure functions so the wording is
// tested, e.g.
//   tftp: 198.18.0.100:2070 RRQ pxelinux.0 (blksize=1432 tsize=46909) -> sent 46909 bytes in 0.012
//   s tftp: 198.18.0.100:2071 RRQ pxelinux.cfg/01-52-54-00-e2-e0-01 -> not found
#pragma once

#include <string>
#include <string_view>

#include "tftp/session.h"

namespace pxed::tftp {

struct TransferSummary {
  std::string client;    // "IP:PORT"
  std::string filename;  // as the client asked for it
  std::string options;   // describe_options() of what was granted; may be empty
  Outcome outcome = Outcome::completed;
  SessionStats stats;
  int retries = 0;     // the retry limit, for "timed out after N retries"
  double seconds = 0;  // from the request to the end
  std::string detail;  // why, for read_failed and cut
};

std::string format_transfer_line(const TransferSummary& summary);

// A request answered without a transfer: "tftp: C RRQ F -> not found". `op` is RRQ or WRQ.
std::string format_refusal_line(std::string_view client, std::string_view op,
                                std::string_view filename, std::string_view outcome);

// Client-supplied text made safe for one log line: control and non-ASCII bytes become \xNN,
// and anything past `max` characters is replaced by "...".
std::string printable(std::string_view text, std::size_t max = 200);

}  // namespace pxed::tftp

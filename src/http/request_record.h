// What the HTTP server reports about each response it sent or began to send, for observers
// such as the boot timeline. One record per response, delivered on the thread of the
// connection's event loop (several loops at once) once the response is complete or was cut
// short (the client went away, a send timeout, the server stopping). Connections closed before
// any response (idle, a client that hung up while sending headers) give no record.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/net_types.h"

namespace pxed::http {

struct RequestRecord {
  Ipv4 client;
  std::string method;  // as sent; "-" when the request could not be parsed
  // The file asked for, normalised and relative to the root when the request got that far;
  // otherwise the target as sent (printable, cut to 200 characters); "" when unparsable.
  std::string path;
  unsigned status = 0;
  std::uint64_t bytes_sent = 0;     // bytes after the head that reached the socket
  std::uint64_t bytes_planned = 0;  // bytes after the head the response has (0 for HEAD, 304)
  std::string content_range;        // the Content-Range header of a 206 or 416; "" if none
  double seconds = 0;               // from the complete request head to the end of the response
  bool cut_short = false;           // true if not every planned byte was sent
  std::string error;                // why it was cut short; "" otherwise
};

using RequestObserver = std::function<void(const RequestRecord&)>;

}  // namespace pxed::http

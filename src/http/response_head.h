// Turns a ResponsePlan into the bytes of its status line and header block. Pure: the current
// time is passed in for the Date header.
#pragma once

#include <cstdint>
#include <string>

#include "http/router.h"

namespace pxed::http {

// "HTTP/1.1 STATUS REASON\r\n", Date, Server, the plan's headers, then the blank line. The
// plan's generated body is not included.
std::string serialize_head(const ResponsePlan& plan, std::int64_t now_epoch_seconds);

}  // namespace pxed::http

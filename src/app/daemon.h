#pragma once

#include "app/serve_options.h"

namespace pxed::app {

// Runs DHCP, TFTP and HTTP in the foreground until SIGINT or SIGTERM. Returns the exit status:
// 0 after a clean stop, 2 if it could not start (one line on stderr says why).
int serve_main(const ServeOptions& options);

}  // namespace pxed::app

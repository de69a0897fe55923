#pragma once

#include "app/serve_options.h"

namespace pxed::app {

// Runs DHCP, TFTP and HTTP in the foreground until SIGINT or SIGTERM. Returns the exit status:
// 0 after a clean stop, 2 if it could not start (one line on stderr says why).
int serve_main(const ServeOptions& options);

// `pxed check --config FILE`: 0 if the file is valid, else every error on stderr and 2.
int check_main(const std::string& config_file);

}  // namespace pxed::app

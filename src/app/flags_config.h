// Builds the typed config from `pxed serve` flags: one subnet (the interface's), one pool (the
// --dhcp-range), the boot files and the ports.
#pragma once

#include "app/serve_options.h"
#include "config/config.h"
#include "core/result.h"
#include "net/interface.h"

namespace pxed::app {

Result<config::Config> config_from_flags(const ServeOptions& o, const net::InterfaceInfo& iface);

}  // namespace pxed::app

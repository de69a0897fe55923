// Builds the typed config from `pxed serve` flags: one subnet (the interface's), one pool (the
// --dhcp-range), the boot files and the ports.
#pragma once

#include "app/serve_options.h"
#include "config/config.h"
#include "config/config_error.h"
#include "core/result.h"
#include "net/interface.h"

namespace pxed::app {

Result<config::Config> config_from_flags(const ServeOptions& o, const net::InterfaceInfo& iface);

// Applies the flags that were given on top of a config file, recording in `sources` that each
// overridden value now comes from its flag (so validation errors name the flag).
Result<void> apply_flag_overrides(const ServeOptions& o, config::Config& c,
                                  config::SourceMap& sources);

}  // namespace pxed::app

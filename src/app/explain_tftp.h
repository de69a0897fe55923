#pragma once

#include <string>

#include "config/config.h"
#include "core/result.h"
#include "tftp/remap.h"

namespace pxed::app {

// The TFTP rewrite rules of a config, compiled.
Result<tftp::Remapper> tftp_remapper(const config::TftpConfig& tftp);

// `pxed explain-tftp PATH --client IP (--config FILE | --root DIR)`: prints which remapping
// rules fire for PATH asked by IP and what would be sent (or why nothing would). 0 if a file
// would be sent, 1 if not, 2 for a bad config or arguments.
int explain_tftp_main(const std::string& path, const std::string& client,
                      const std::string& config_file, const std::string& root);

}  // namespace pxed::app

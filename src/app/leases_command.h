#pragma once

#include <string>

namespace pxed::app {

// `pxed leases [--lease-db PATH] [--json]`: lists the leases on record, active or expired.
int leases_main(const std::string& lease_db, bool json);

}  // namespace pxed::app

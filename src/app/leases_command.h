#pragma once

#include <string>

#include "app/api_client.h"

namespace pxed::app {

// `pxed leases [--lease-db PATH] [--json] [--api URL]`: lists the leases on record, active or
// expired. With api.url (--api, PXED_API): as a running pxed's API lists them, printed exactly
// as the database path prints them. Without: from the database, which works while pxed is not
// running too.
int leases_main(const std::string& lease_db, bool json, const ApiTarget& api = {});

}  // namespace pxed::app

// `pxed hosts ...` (the hosts table in the lease database) and `pxed explain` (what a machine
// would boot, stage by stage).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/api_client.h"

namespace pxed::app {

struct HostsOptions {
  std::string action;  // list, set, remove
  std::string mac;
  std::string lease_db = "/var/lib/pxed/leases.db";
  std::string config_file;  // optional: profile names are checked against it, its lease-db used
  std::optional<std::string> profile, hostname;
  std::vector<std::string> labels;
  bool labels_given = false;
  bool boot_once = false;     // arm boot-once (again)
  bool always = false;        // clear boot-once: network-boot every time
  bool json = false;
  bool lease_db_given = false;
  ApiTarget api;  // url given (--api, PXED_API): through a running pxed's API, not the database
};

// With o.api.url: through the REST API (the server checks the profile names), printing exactly
// what the database path prints. Without: the database itself, which works while pxed is not
// running too.
int hosts_main(const HostsOptions& o);

struct ExplainOptions {
  std::string mac;
  std::optional<unsigned> arch;
  std::string user_class;
  std::string ip;
  std::string uuid;
  std::string hostname;
  std::string config_file;
  std::string lease_db;  // default: the config's
  std::string server;    // default: the first served interface's address
};

int explain_main(const ExplainOptions& o);

}  // namespace pxed::app

// What `pxed serve` was asked to do, parsed and validated from the command line (a config file
// comes later and fills the same struct).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/net_types.h"
#include "core/result.h"

namespace pxed::app {

struct ServeOptions {
  std::string config_file;      // --config; flags given alongside override it
  std::set<std::string> given;  // the flags that were given, as "--http-port"
  std::string interface;
  std::string root;
  std::string dhcp_range;               // "START-END" as given
  std::vector<std::string> boot_files;  // "ARCH=FILE" as given
  std::string ipxe_boot_file;
  std::uint16_t http_port = 80;
  std::uint16_t tftp_port = 69;
  std::string api_listen;  // --api-listen ADDRESS:PORT (config api.listen); empty: not given
  std::string lease_db = "/var/lib/pxed/leases.db";
  std::vector<std::string> routers;
  std::vector<std::string> dns_servers;
  std::uint32_t lease_time = 3600;
  bool proxy = false;  // --proxy: ProxyDHCP, no pool (config dhcp.mode = "proxy")
  // --ipv6-ra[=MODE]: whose IPv6 router solicitations get an advertisement that configures
  // nothing: "pxe-clients" (the default), "all" (--ipv6-ra alone) or "off".
  std::string ipv6_ra = "pxe-clients";
};

// "198.18.0.100-198.18.0.200" -> range; invalid_argument with the reason otherwise. Pure.
Result<config::AddressRange> parse_range(std::string_view text);
// "bios=pxelinux.0", "7=ipxe.efi" -> arch codes -> file. Pure.
Result<std::map<std::uint16_t, std::string>> parse_boot_files(
    const std::vector<std::string>& specs);
Result<std::vector<Ipv4>> parse_addresses(const std::vector<std::string>& texts,
                                          std::string_view what);

}  // namespace pxed::app

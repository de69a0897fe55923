// Boot policy: given what a machine said about itself, what does it boot? DHCP only asks this;
// profiles and per-host rules will live here too.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/net_types.h"

namespace pxed::boot {

struct PolicyConfig {
  std::map<std::uint16_t, std::string> boot_files;  // option 93 value -> file or URL
  std::string ipxe_boot_file;                       // for clients already running iPXE
  Ipv4 server;                                      // used to turn paths into URLs
  std::uint16_t http_port = 80;
};

struct BootRequest {
  MacAddress mac;
  std::optional<std::uint16_t> arch;
  bool ipxe = false;
  bool http_boot = false;      // vendor class HTTPClient: the answer must be a URL
  std::string host_boot_file;  // from the machine's reservation, if it names one
  Ipv4 server;                 // the address the client reached us on; zero: the configured one
};

struct BootDecision {
  std::string file;  // a TFTP path, or a URL
  bool url = false;  // file is a URL
};

class Policy {
 public:
  explicit Policy(PolicyConfig config) : config_(std::move(config)) {}

  // Nothing when there is no loader for this machine (an architecture without a default).
  std::optional<BootDecision> decide(const BootRequest& req) const;

  std::string http_url(const std::string& path, Ipv4 server = Ipv4()) const;

 private:
  PolicyConfig config_;
};

}  // namespace pxed::boot

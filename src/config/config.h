// The typed configuration of pxed: what `pxed serve --config FILE` reads (TOML, see
// examples/pxed.toml) and what command-line flags override. Plain values with in-class defaults;
// the loader fills them and validate() checks the whole, so the daemon only ever sees a config
// that makes sense.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boot/profile.h"
#include "core/bytes.h"
#include "core/net_types.h"
#include "net/ra_gate.h"

namespace pxed::config {

// Where a value came from, for error messages: "pxed.toml:12:3".
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

// A DHCP option as configured, already encoded to its wire bytes through the option table
// (dhcp/options.h), e.g. routers = ["198.18.0.254"] -> code 3, bytes c6 12 00 fe.
struct OptionValue {
  std::uint8_t code = 0;
  Bytes data;
  SourcePos pos;
};

struct AddressRange {
  Ipv4 start, end;  // inclusive
  bool contains(Ipv4 ip) const { return ip >= start && ip <= end; }
  std::uint64_t size() const { return std::uint64_t{end.value()} - start.value() + 1; }
};

// A fixed address (and/or boot settings) for one machine, by MAC or by client-id (option 61).
struct Reservation {
  std::optional<MacAddress> mac;
  std::optional<Bytes> client_id;
  std::optional<Ipv4> address;  // may be inside or outside the pools, but inside the subnet
  std::string hostname;
  std::string boot_file;  // overrides the architecture table for this machine
  std::vector<OptionValue> options;
  SourcePos pos;
};

struct Subnet {
  Ipv4Network network;                  // address = network address, netmask
  std::vector<std::string> interfaces;  // served directly on these; empty = reached via relays
  std::vector<AddressRange> pools;
  std::vector<AddressRange> exclusions;  // never handed out, even inside a pool
  std::vector<Reservation> reservations;
  std::vector<OptionValue> options;  // override the global ones
  std::optional<std::uint32_t> lease_time;
  std::optional<std::uint32_t> renew_time;   // T1; default lease_time / 2
  std::optional<std::uint32_t> rebind_time;  // T2; default lease_time * 7 / 8
  std::optional<bool> authoritative;
  // Identify clients by MAC only, ignoring option 61: PXE firmware and the OS often send
  // different client-ids for one machine and must not take two addresses.
  bool match_mac_only = false;
  SourcePos pos;
};

struct DhcpConfig {
  bool enabled = true;
  // mode = "proxy": ProxyDHCP beside the site's DHCP server (dhcp/proxy.h): no subnets, no
  // leases; boot information for PXE clients only, on ports 67 and 4011.
  bool proxy = false;
  std::vector<Subnet> subnets;
  std::vector<OptionValue> options;  // global
  std::uint32_t lease_time = 3600;
  std::optional<std::uint32_t> renew_time;
  std::optional<std::uint32_t> rebind_time;
  bool authoritative = true;
  std::uint32_t offer_hold = 60;            // seconds an offered address stays reserved
  std::uint32_t decline_quarantine = 3600;  // seconds a DECLINEd or conflicting address rests
  bool conflict_detection = false;          // ARP probe after offering; never delays a reply
  // Answer IPv6 router solicitations on the served interfaces with a router advertisement that
  // configures nothing (lifetime 0, no prefix): iPXE then stops waiting ~13 s for IPv6. By
  // default only for machines pxed is PXE-booting, on links where no router advertises
  // (net/ra_gate.h); `all` answers every solicitation, `off` none.
  net::RaMode ipv6_router_advertisement = net::RaMode::pxe_clients;
  // Seconds an expired lease is kept, so its client gets the same address back, before the row
  // is deleted.
  std::uint32_t expired_lease_retention = 86400;
  std::uint32_t rate_limit_per_mac = 20;    // requests per second per MAC; 0 = unlimited
  std::string lease_db = "/var/lib/pxed/leases.db";
};

// A TFTP filename rewrite rule (tftp::RemapRule), in file order.
struct RemapRule {
  std::string match;  // ECMAScript regular expression
  std::string replace;
  bool ignore_case = false;
  bool last = false;
  SourcePos pos;
};

struct TftpConfig {
  bool enabled = true;
  std::uint16_t port = 69;
  std::uint16_t max_blksize = 65464;  // also never more than the interface MTU carries
  std::uint16_t max_windowsize = 64;
  std::uint32_t max_transfers = 2000;          // at once, all clients together
  std::uint32_t max_transfers_per_client = 16;  // at once, per client address
  std::uint32_t threads = 0;  // event loops carrying transfers; 0: one per CPU, at most 8
  // Local ports of the transfers (their TIDs), e.g. for a firewall; none: any the kernel picks.
  std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range;
  std::vector<RemapRule> remap;
  // Uploads (WRQ): off unless set; new files only, in this directory (not the served root).
  std::string upload_dir;
  std::uint64_t max_upload_size = 64 * 1024 * 1024;
};

struct HttpConfig {
  bool enabled = true;
  std::uint16_t port = 80;
  std::size_t max_connections = 512;
  std::uint32_t max_requests_per_connection = 1000;  // 0: no limit
  std::uint32_t idle_timeout = 30;   // seconds between requests on a kept connection
  std::uint32_t header_timeout = 10;  // seconds to receive a request's headers (then 408)
  std::uint32_t threads = 0;  // event loops carrying connections; 0: min(CPUs, 4)
};

struct BootConfig {
  std::map<std::uint16_t, std::string> boot_files;  // option 93 value -> file or URL
  std::string ipxe_boot_file;
  std::vector<boot::Profile> profiles;  // [[boot.profile]]
  std::vector<boot::Rule> rules;        // [[boot.rule]], first match wins
  std::string default_profile;
};

// Where a server listens: an IPv4 address ("0.0.0.0": every address) and a port.
struct ListenAddress {
  Ipv4 address;
  std::uint16_t port = 0;
};

// The REST API (/api/v1) on the HTTP server. Reads are open to whoever reaches the HTTP port;
// writes need this bearer token.
struct ApiConfig {
  std::string token;  // api.token, or the first line of api.token-file; empty: writes are off
  // api.listen = "ADDRESS:PORT": the management endpoints (/api/v1, /ui/, /metrics) on an HTTP
  // server of their own there (e.g. loopback only), and no longer on the boot HTTP port.
  // Unset: they are answered on the boot HTTP port beside the files.
  std::optional<ListenAddress> listen;
};

struct Config {
  std::vector<std::string>
      interfaces;    // served interfaces; the first one's IPv4 is the server address
  std::string root;  // served read-only over TFTP and HTTP
  DhcpConfig dhcp;
  TftpConfig tftp;
  HttpConfig http;
  BootConfig boot;
  ApiConfig api;
  std::string source;  // the file it was read from, empty for flags only
};

}  // namespace pxed::config

// Boot policy: given what a machine said about itself (MAC, architecture, iPXE or not, UUID,
// user class, host name) and what the database knows of it, what does it boot? DHCP, TFTP and
// HTTP only ask this.
//
// A machine's profile comes from, in order: its host record (`pxed hosts set MAC --profile P`),
// the first [[boot.rule]] that matches it, boot.default-profile. Without a profile it gets the
// architecture table's default loader (or boot.files) and, once in iPXE, boot.ipxe-boot-file.
// With one, the stage decides: firmware PXE gets the profile's loader for its architecture; iPXE
// (when the profile's loader is iPXE) gets the URL of its own rendered script, so it never loads
// itself again; UEFI HTTP Boot gets URLs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boot/hosts.h"
#include "boot/profile.h"
#include "boot/render.h"
#include "core/net_types.h"

namespace pxed::boot {

struct PolicyConfig {
  std::map<std::uint16_t, std::string> boot_files;  // option 93 value -> file or URL
  std::string ipxe_boot_file;                       // for clients already running iPXE
  Ipv4 server;                                      // used to turn paths into URLs
  std::uint16_t http_port = 80;
  std::vector<Profile> profiles;
  std::vector<Rule> rules;
  std::string default_profile;  // empty: machines no rule matches get no profile
};

struct BootRequest {
  MacAddress mac;
  std::optional<std::uint16_t> arch;
  bool ipxe = false;
  bool http_boot = false;      // vendor class HTTPClient: the answer must be a URL
  std::string host_boot_file;  // from the machine's reservation, if it names one
  Ipv4 server;                 // the address the client reached us on; zero: the configured one
  std::optional<Bytes> uuid;   // option 97, the 16 bytes after the type
  std::string user_class;      // option 77 as text
  std::string hostname;        // option 12, or the reservation's
  std::int64_t now = 0;        // unix seconds (boot once)
};

// Which profile a machine has, and why.
struct Selection {
  const Profile* profile = nullptr;
  std::string why;  // "host record", "boot.rule[1] (pxed.toml:40)", "boot.default-profile"
  std::optional<HostRecord> host;
  bool local_boot = false;  // a boot-once host that has had its network boot
};

struct BootDecision {
  std::string file;  // a TFTP path, or a URL
  bool url = false;  // file is a URL
  std::string profile;
  std::string why;
  std::string stage;  // "firmware", "iPXE", "HTTP Boot"
};

class Policy {
 public:
  // `hosts` may be null (no database); it must outlive the policy.
  explicit Policy(PolicyConfig config, HostDirectory* hosts = nullptr);

  Selection select(const BootRequest& req) const;
  // Nothing when there is no loader for this machine (an architecture without one).
  std::optional<BootDecision> decide(const BootRequest& req) const;

  const Profile* profile(std::string_view name) const;
  bool has_profiles() const { return !config_.profiles.empty(); }
  HostDirectory* hosts() const { return hosts_; }
  Site site(Ipv4 server = Ipv4()) const;
  std::string http_url(const std::string& path, Ipv4 server = Ipv4()) const;

 private:
  bool matches(const Match& m, const BootRequest& req, const std::optional<HostRecord>& host) const;

  PolicyConfig config_;
  HostDirectory* hosts_;
};

// Where a machine's iPXE script is served: "ipxe/52-54-00-e2-e0-01.ipxe".
std::string ipxe_script_path(const MacAddress& mac);

// "4c4c4544-0042-3510-8056-b4c04f4a3032" (dashes optional) -> its 16 bytes in text order.
std::optional<Bytes> parse_uuid(std::string_view text);
// Option 97 carries the SMBIOS UUID, whose first three fields firmware often sends little-endian:
// a configured UUID matches the option's bytes in either order.
bool uuid_matches(const Bytes& configured, const Bytes& option97);

// True if `name` matches `pattern`, where '*' stands for any run of characters (case-insensitive).
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace pxed::boot

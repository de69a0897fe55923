// Boot profiles and the rules that give machines their profile: what a site writes in its config
// ([[boot.profile]], [[boot.rule]]) and keeps per host in the database (`pxed hosts`).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boot/arch_table.h"
#include "boot/template.h"
#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::boot {

// One way to boot: the loader and what it loads. Paths are below the served root (or URLs);
// `cmdline` and `rootfs_url` are templates with the same names as the boot-file templates.
struct Profile {
  std::string name;
  LoaderKind loader = LoaderKind::ipxe;
  std::map<std::uint16_t, std::string> loader_files;  // option 93 -> file, over the arch table
  std::string kernel;
  std::vector<std::string> initrds;
  std::string cmdline;
  std::string rootfs_url;
  // Boot-file templates replacing the built-in ones (boot/render.h), parsed at load time.
  std::shared_ptr<const Template> ipxe_template, pxelinux_template, grub_template;
  std::string where;  // "pxed.toml:12" for messages
};

// Which machines a rule is for: every condition given must hold; a rule with none matches all.
struct Match {
  std::optional<MacAddress> mac;
  Bytes mac_prefix;                  // the first bytes of the MAC (1 to 6)
  std::optional<Bytes> uuid;         // option 97's 16-byte machine UUID
  std::vector<std::uint16_t> arch;   // any of these option 93 values
  std::string user_class;            // option 77, e.g. "iPXE"
  std::string hostname;              // exact, or a glob with '*' ("node-*")
  std::vector<std::string> labels;   // the host (pxed hosts) has every one of them
};

struct Rule {
  Match match;
  std::string profile;
  std::string where;  // "boot.rule[2] (pxed.toml:40)"
};

// What the database knows of a machine (`pxed hosts set ...`).
struct HostRecord {
  MacAddress mac;
  std::string profile;              // empty: the rules decide
  std::string hostname;
  std::vector<std::string> labels;
  bool boot_once = false;           // network-boot once, then boot from the local disk
  std::int64_t netbooted_at = 0;    // unix seconds its boot config was first served; 0: not yet
};

// A boot-once host keeps getting its network boot for this long after its config was first
// served (a loader may read it more than once in one boot), then it is sent to its local disk.
inline constexpr std::int64_t kBootOnceGrace = 300;

inline bool boots_locally(const HostRecord& h, std::int64_t now) {
  return h.boot_once && h.netbooted_at != 0 && now - h.netbooted_at > kBootOnceGrace;
}

}  // namespace pxed::boot

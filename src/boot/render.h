// Renders the boot files of a profile for one machine: a pxelinux config, an iPXE script, a GRUB
// config, or their "boot from the local disk" forms. Built-in templates, replaceable per profile
// (Profile::*_template). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "boot/profile.h"
#include "boot/template.h"
#include "core/net_types.h"

namespace pxed::boot {

// What is known of the machine a file is rendered for; any part may be unknown (zero/empty).
struct MachineFacts {
  std::optional<MacAddress> mac;
  std::optional<std::uint16_t> arch;
  Ipv4 ip;
  std::string hostname;
};

// Where the server is, for URLs.
struct Site {
  Ipv4 server;
  std::uint16_t http_port = 80;
};

// The names a template may use, with what each holds (for the README and error messages):
//   server, http_port, http (http://SERVER[:PORT]), mac, mac_dashes, ip, hostname, arch,
//   arch_name, profile, kernel, kernel_path, kernel_url, initrds, initrd_paths, initrd_urls,
//   initrd_names, initrd_csv, cmdline, rootfs_url
const std::set<std::string, std::less<>>& template_names();

// The values for a profile and a machine. `cmdline` and `rootfs_url` are rendered from the
// profile's own templates with the other values.
TemplateValues template_values(const Profile& profile, const MachineFacts& machine,
                               const Site& site);

// The boot file of `kind` for the machine; local_boot: the form that boots the local disk.
std::string render_boot_file(const Profile& profile, LoaderKind kind, const MachineFacts& machine,
                             const Site& site, bool local_boot);

// The built-in templates, parsed (the texts are in render.cc).
const Template& builtin_template(LoaderKind kind);

// "http://198.18.0.1/path" or "http://198.18.0.1:8080/path"; a URL is returned unchanged.
std::string url_for(std::string_view path, const Site& site);
bool is_url(std::string_view s);

}  // namespace pxed::boot

#include "boot/policy.h"

#include <fmt/format.h>

#include "boot/arch_table.h"

namespace pxed::boot {

namespace {
bool is_url(const std::string& s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("tftp://");
}
}  // namespace

std::string Policy::http_url(const std::string& path, Ipv4 server) const {
  std::string_view p = path;
  while (p.starts_with('/')) p.remove_prefix(1);
  std::string host = (server.is_zero() ? config_.server : server).to_string();
  if (config_.http_port == 80) return fmt::format("http://{}/{}", host, p);
  return fmt::format("http://{}:{}/{}", host, config_.http_port, p);
}

std::optional<BootDecision> Policy::decide(const BootRequest& req) const {
  // A machine already running iPXE must not be handed iPXE again, or it loads itself forever.
  if (req.ipxe && !config_.ipxe_boot_file.empty()) {
    return BootDecision{config_.ipxe_boot_file, is_url(config_.ipxe_boot_file)};
  }
  // No option 93 at all (an OS client, syslinux.efi's own DHCP): treat it as BIOS, the only
  // architecture that predates the option.
  std::uint16_t arch = req.arch.value_or(0);
  std::string file = req.host_boot_file;
  if (!file.empty()) {
    // The machine's own setting.
  } else if (auto it = config_.boot_files.find(arch); it != config_.boot_files.end()) {
    file = it->second;
  } else if (const ArchInfo* a = find_arch(arch)) {
    file = a->default_loader;
  }
  if (file.empty()) return std::nullopt;
  if (req.http_boot && !is_url(file)) return BootDecision{http_url(file, req.server), true};
  return BootDecision{file, is_url(file)};
}

}  // namespace pxed::boot

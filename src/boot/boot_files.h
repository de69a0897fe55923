// The boot files pxed renders, and the paths they are served at (over TFTP and HTTP alike):
//   pxelinux.cfg/01-<mac>     pxelinux and syslinux.efi, per machine (dashes: 52-54-00-e2-e0-01)
//   pxelinux.cfg/default      for whoever asks, known by the address DHCP gave it
//   ipxe/<mac>.ipxe           the iPXE script DHCP names for a machine whose profile uses iPXE
//   grub/grub.cfg-01-<mac>    GRUB, per machine (dashes or colons)
//   grub/grub.cfg             for whoever asks; an unknown asker is sent to its per-MAC file
// A path whose machine has no profile is not answered here (the file on disk, if any, is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "boot/policy.h"
#include "boot/sightings.h"
#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::boot {

struct BootPath {
  LoaderKind kind;
  std::optional<MacAddress> mac;  // none: the file for whoever asks
};

// `path` normalised (no leading '/', '/' separators). Nothing if it is not a boot-file path.
std::optional<BootPath> parse_boot_path(std::string_view path);

struct RenderedFile {
  std::string text;
  std::optional<MacAddress> mac;  // the machine it was rendered for, if known
  std::string profile;            // empty for GRUB's "ask by MAC" file
  std::string why;
  bool local_boot = false;
  bool first_netboot = false;  // a boot-once host gets its network boot now
};

class BootFiles {
 public:
  BootFiles(const Policy& policy, const Sightings& sightings)
      : policy_(policy), sightings_(sightings) {}

  // What `path` renders to for the client at `client`; nothing if pxed has no such file for it.
  std::optional<RenderedFile> render(std::string_view path, Ipv4 client, std::int64_t now) const;

  // render(), and a boot-once host is marked as having had its network boot (marked_error says
  // why the mark could not be written, if so). For the name space (files::GeneratedFiles);
  // thread-safe.
  std::optional<RenderedFile> serve(std::string_view path, Ipv4 client, std::int64_t now,
                                    std::string* marked_error = nullptr) const;

 private:
  const Policy& policy_;
  const Sightings& sightings_;
};

}  // namespace pxed::boot

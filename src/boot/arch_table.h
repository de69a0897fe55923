// The client architecture registry (DHCP option 93, RFC 4578 and IANA's processor architecture
// types) with the loader files pxed hands each one: for every architecture, the file name of
// each kind of boot loader (pxelinux/syslinux, iPXE, GRUB) and which kind it gets by default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pxed::boot {

// The kinds of boot loader a profile can ask for.
enum class LoaderKind : std::uint8_t { pxelinux, ipxe, grub };

std::string_view to_string(LoaderKind kind);
std::optional<LoaderKind> parse_loader_kind(std::string_view text);

struct ArchInfo {
  std::uint16_t code;
  std::string_view keyword;      // --boot-file name; several codes may share one
  std::string_view description;  // for logs
  // The file of each loader kind for this architecture; empty: none exists in Debian and the
  // operator must name one.
  std::string_view pxelinux, ipxe, grub;
  LoaderKind default_kind;  // what a machine gets when no profile says otherwise
  bool http_boot;           // UEFI HTTP Boot: the boot file is a URL

  std::string_view loader(LoaderKind kind) const;
  std::string_view default_loader() const { return loader(default_kind); }
};

std::span<const ArchInfo> arch_table();
const ArchInfo* find_arch(std::uint16_t code);
std::string_view arch_description(std::optional<std::uint16_t> code);

// Parses "bios", "efi32", "efi64", "arm32", "arm64" or a decimal option 93 value into the codes
// it stands for (efi64 is both 7 and 9). Empty if unknown.
std::span<const std::uint16_t> parse_arch_keyword(std::string_view text, std::uint16_t& storage);

}  // namespace pxed::boot

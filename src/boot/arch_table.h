// The client architecture registry (DHCP option 93, RFC 4578 and IANA's processor architecture
// types) with the loader pxed hands each one by default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pxed::boot {

struct ArchInfo {
  std::uint16_t code;
  std::string_view keyword;         // --boot-file name; several codes may share one
  std::string_view description;     // for logs
  std::string_view default_loader;  // empty: no default, the operator must configure one
  bool http_boot;                   // UEFI HTTP Boot: the boot file is a URL
};

std::span<const ArchInfo> arch_table();
const ArchInfo* find_arch(std::uint16_t code);
std::string_view arch_description(std::optional<std::uint16_t> code);

// Parses "bios", "efi32", "efi64", "arm32", "arm64" or a decimal option 93 value into the codes
// it stands for (efi64 is both 7 and 9). Empty if unknown.
std::span<const std::uint16_t> parse_arch_keyword(std::string_view text, std::uint16_t& storage);

}  // namespace pxed::boot

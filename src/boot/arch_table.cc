#include "boot/arch_table.h"

#include <array>
#include <charconv>

namespace pxed::boot {

namespace {

constexpr std::array kArchs = {
    ArchInfo{0, "bios", "BIOS", "pxelinux.0", false},
    ArchInfo{6, "efi32", "IA32 UEFI", "", false},
    ArchInfo{7, "efi64", "x64 UEFI", "ipxe.efi", false},
    ArchInfo{9, "efi64", "x64 UEFI", "ipxe.efi", false},
    ArchInfo{10, "arm32", "ARM32 UEFI", "", false},
    ArchInfo{11, "arm64", "ARM64 UEFI", "grubnetaa64.efi", false},
    ArchInfo{15, "efi32-http", "IA32 UEFI HTTP Boot", "", true},
    ArchInfo{16, "efi64-http", "x64 UEFI HTTP Boot", "ipxe.efi", true},
    ArchInfo{18, "arm32-http", "ARM32 UEFI HTTP Boot", "", true},
    ArchInfo{19, "arm64-http", "ARM64 UEFI HTTP Boot", "grubnetaa64.efi", true},
    ArchInfo{25, "riscv32", "RISC-V 32 UEFI", "", false},
    ArchInfo{27, "riscv64", "RISC-V 64 UEFI", "", false},
};

constexpr std::array<std::uint16_t, 1> kBios = {0};
constexpr std::array<std::uint16_t, 1> kEfi32 = {6};
constexpr std::array<std::uint16_t, 2> kEfi64 = {7, 9};
constexpr std::array<std::uint16_t, 1> kArm32 = {10};
constexpr std::array<std::uint16_t, 1> kArm64 = {11};

}  // namespace

std::span<const ArchInfo> arch_table() {
  return kArchs;
}

const ArchInfo* find_arch(std::uint16_t code) {
  for (const ArchInfo& a : kArchs) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

std::string_view arch_description(std::optional<std::uint16_t> code) {
  if (!code) return "no arch";
  const ArchInfo* a = find_arch(*code);
  return a ? a->description : "unknown arch";
}

std::span<const std::uint16_t> parse_arch_keyword(std::string_view text, std::uint16_t& storage) {
  if (text == "bios") return kBios;
  if (text == "efi32") return kEfi32;
  if (text == "efi64") return kEfi64;
  if (text == "arm32") return kArm32;
  if (text == "arm64") return kArm64;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v > 0xffff) return {};
  storage = static_cast<std::uint16_t>(v);
  return {&storage, 1};
}

}  // namespace pxed::boot

#include "boot/arch_table.h"

#include <array>
#include <charconv>

namespace pxed::boot {

namespace {

using K = LoaderKind;

// File names as Debian 12 ships them (pxelinux, syslinux-efi, ipxe, grub-efi-*-signed renamed
// without ".signed"); the ones Debian does not build follow the same pattern.
constexpr std::array kArchs = {
    ArchInfo{0, "bios", "BIOS", "pxelinux.0", "undionly.kpxe", "", K::pxelinux, false},
    ArchInfo{6, "efi32", "IA32 UEFI", "efi32/syslinux.efi", "ipxe-ia32.efi", "grubnetia32.efi",
             K::ipxe, false},
    ArchInfo{7, "efi64", "x64 UEFI", "syslinux.efi", "snponly.efi", "grubnetx64.efi", K::ipxe, false},
    ArchInfo{9, "efi64", "x64 UEFI", "syslinux.efi", "snponly.efi", "grubnetx64.efi", K::ipxe, false},
    ArchInfo{10, "arm32", "ARM32 UEFI", "", "ipxe-arm32.efi", "grubnetarm.efi", K::grub, false},
    ArchInfo{11, "arm64", "ARM64 UEFI", "", "ipxe-arm64.efi", "grubnetaa64.efi", K::grub, false},
    ArchInfo{15, "efi32-http", "IA32 UEFI HTTP Boot", "", "ipxe-ia32.efi", "grubnetia32.efi",
             K::ipxe, true},
    ArchInfo{16, "efi64-http", "x64 UEFI HTTP Boot", "", "ipxe.efi", "grubnetx64.efi", K::ipxe,
             true},
    ArchInfo{18, "arm32-http", "ARM32 UEFI HTTP Boot", "", "ipxe-arm32.efi", "grubnetarm.efi",
             K::grub, true},
    ArchInfo{19, "arm64-http", "ARM64 UEFI HTTP Boot", "", "ipxe-arm64.efi", "grubnetaa64.efi",
             K::grub, true},
    ArchInfo{25, "riscv32", "RISC-V 32 UEFI", "", "", "grubnetriscv32.efi", K::grub, false},
    ArchInfo{26, "riscv32-http", "RISC-V 32 UEFI HTTP Boot", "", "", "grubnetriscv32.efi", K::grub,
             true},
    ArchInfo{27, "riscv64", "RISC-V 64 UEFI", "", "ipxe-riscv64.efi", "grubnetriscv64.efi",
             K::grub, false},
    ArchInfo{28, "riscv64-http", "RISC-V 64 UEFI HTTP Boot", "", "ipxe-riscv64.efi",
             "grubnetriscv64.efi", K::grub, true},
};

struct Keyword {
  std::string_view word;
  std::array<std::uint16_t, 2> codes;
  std::size_t count;
};
constexpr std::array kKeywords = {
    Keyword{"bios", {0, 0}, 1},          Keyword{"efi32", {6, 0}, 1},
    Keyword{"efi64", {7, 9}, 2},         Keyword{"arm32", {10, 0}, 1},
    Keyword{"arm64", {11, 0}, 1},        Keyword{"efi32-http", {15, 0}, 1},
    Keyword{"efi64-http", {16, 0}, 1},   Keyword{"arm32-http", {18, 0}, 1},
    Keyword{"arm64-http", {19, 0}, 1},   Keyword{"riscv32", {25, 0}, 1},
    Keyword{"riscv32-http", {26, 0}, 1}, Keyword{"riscv64", {27, 0}, 1},
    Keyword{"riscv64-http", {28, 0}, 1},
};

}  // namespace

std::string_view to_string(LoaderKind kind) {
  switch (kind) {
    case LoaderKind::pxelinux:
      return "pxelinux";
    case LoaderKind::ipxe:
      return "ipxe";
    case LoaderKind::grub:
      return "grub";
  }
  return "?";
}

std::optional<LoaderKind> parse_loader_kind(std::string_view text) {
  for (LoaderKind k : {LoaderKind::pxelinux, LoaderKind::ipxe, LoaderKind::grub}) {
    if (text == to_string(k)) return k;
  }
  if (text == "syslinux") return LoaderKind::pxelinux;
  return std::nullopt;
}

std::string_view ArchInfo::loader(LoaderKind kind) const {
  switch (kind) {
    case LoaderKind::pxelinux:
      return pxelinux;
    case LoaderKind::ipxe:
      return ipxe;
    case LoaderKind::grub:
      return grub;
  }
  return {};
}

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
  for (const Keyword& k : kKeywords) {
    if (text == k.word) return {k.codes.data(), k.count};
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v > 0xffff) return {};
  storage = static_cast<std::uint16_t>(v);
  return {&storage, 1};
}

}  // namespace pxed::boot

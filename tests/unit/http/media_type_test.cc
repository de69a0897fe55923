#include "http/media_type.h"

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

TEST(MediaType, BootFiles) {
  EXPECT_EQ(media_type_for("ipxe.efi"), "application/efi");
  EXPECT_EQ(media_type_for("EFI/BOOT/BOOTX64.EFI"), "application/efi");
  EXPECT_EQ(media_type_for("boot.ipxe"), "text/plain");
  EXPECT_EQ(media_type_for("grub/grub.cfg"), "text/plain");
  EXPECT_EQ(media_type_for("notes.txt"), "text/plain");
  EXPECT_EQ(media_type_for("vmlinuz"), "application/octet-stream");
  EXPECT_EQ(media_type_for("initrd.img"), "application/octet-stream");
  EXPECT_EQ(media_type_for("undionly.kpxe"), "application/octet-stream");
  EXPECT_EQ(media_type_for("dir.efi/file"), "application/octet-stream");
  EXPECT_EQ(media_type_for("trailing."), "application/octet-stream");
  EXPECT_EQ(media_type_for("index.html"), "text/html; charset=utf-8");
}

// UEFI HTTP Boot takes a file only from a URL ending in .efi or with this type; iPXE scripts and
// boot loader configs are text whatever the case of their names.
TEST(MediaType, HttpBootTypesIgnoreCase) {
  EXPECT_EQ(media_type_for("snponly.Efi"), "application/efi");
  EXPECT_EQ(media_type_for("/boot/x86_64/shimx64.efi"), "application/efi");
  EXPECT_EQ(media_type_for("menus/BOOT.IPXE"), "text/plain");
  EXPECT_EQ(media_type_for("grub/GRUB.CFG"), "text/plain");
  EXPECT_EQ(media_type_for("efi"), "application/octet-stream");
}

}  // namespace
}  // namespace pxed::http

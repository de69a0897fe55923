#include "boot/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pxed::boot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Profile debian() {
  Profile p;
  p.name = "debian";
  p.kernel = "debian/vmlinuz";
  p.initrds = {"debian/initrd.gz", "extra.cpio"};
  p.cmdline = "console=ttyS0 root=live:{{rootfs_url}} host={{hostname}}";
  p.rootfs_url = "{{http}}/images/{{mac_dashes}}.img";
  return p;
}

MachineFacts machine() {
  MachineFacts m;
  m.mac = MacAddress::parse("52:54:00:e2:e0:01");
  m.arch = 7;
  m.ip = *Ipv4::parse("198.18.0.100");
  m.hostname = "node1";
  return m;
}

Site site(std::uint16_t port = 80) {
  return Site{*Ipv4::parse("198.18.0.1"), port};
}

TEST(Render, IpxeScriptFetchesEverythingOverHttpAndRetries) {
  std::string s = render_boot_file(debian(), LoaderKind::ipxe, machine(), site(8080), false);
  EXPECT_TRUE(s.starts_with("#!ipxe\n"));
  EXPECT_THAT(s, HasSubstr("kernel http://198.18.0.1:8080/debian/vmlinuz initrd=initrd.gz "
                           "initrd=extra.cpio console=ttyS0 "
                           "root=live:http://198.18.0.1:8080/images/52-54-00-e2-e0-01.img "
                           "host=node1 || goto retry\n"));
  EXPECT_THAT(s, HasSubstr("initrd http://198.18.0.1:8080/debian/initrd.gz || goto retry\n"
                           "initrd http://198.18.0.1:8080/extra.cpio || goto retry\n"
                           "boot || goto retry\n"));
  EXPECT_THAT(s, HasSubstr(":retry\n"));
  EXPECT_THAT(s, HasSubstr("goto start\n"));
}

TEST(Render, PxelinuxConfigUsesTftpPaths) {
  std::string s = render_boot_file(debian(), LoaderKind::pxelinux, machine(), site(), false);
  EXPECT_THAT(s, HasSubstr("SAY pxed: profile debian for 52:54:00:e2:e0:01\nDEFAULT debian\nPROMPT 0\nTIMEOUT 0\nLABEL debian\n"
                           "  KERNEL debian/vmlinuz\n  INITRD debian/initrd.gz,extra.cpio\n"
                           "  APPEND console=ttyS0 "
                           "root=live:http://198.18.0.1/images/52-54-00-e2-e0-01.img host=node1\n"));
}

TEST(Render, GrubConfigUsesAbsolutePaths) {
  Profile p = debian();
  std::string s = render_boot_file(p, LoaderKind::grub, machine(), site(), false);
  EXPECT_THAT(s, HasSubstr("set timeout=0\n"));
  EXPECT_THAT(s, HasSubstr("  linux /debian/vmlinuz console=ttyS0"));
  EXPECT_THAT(s, HasSubstr("  initrd /debian/initrd.gz /extra.cpio\n}"));
  p.initrds.clear();
  EXPECT_THAT(render_boot_file(p, LoaderKind::grub, machine(), site(), false),
              Not(HasSubstr("initrd")));
}

TEST(Render, LocalBootForms) {
  EXPECT_THAT(render_boot_file(debian(), LoaderKind::pxelinux, machine(), site(), true),
              HasSubstr("LOCALBOOT 0"));
  std::string ipxe = render_boot_file(debian(), LoaderKind::ipxe, machine(), site(), true);
  EXPECT_TRUE(ipxe.starts_with("#!ipxe\n"));
  EXPECT_THAT(ipxe, HasSubstr("\nexit\n"));
  EXPECT_THAT(ipxe, Not(HasSubstr("kernel")));
  EXPECT_THAT(render_boot_file(debian(), LoaderKind::grub, machine(), site(), true),
              HasSubstr("\nexit\n"));
}

TEST(Render, AProfileTemplateReplacesTheBuiltInOne) {
  Profile p = debian();
  auto t = Template::parse("#!ipxe\nchain {{http}}/menu.ipxe?mac={{mac}}&arch={{arch}}\n",
                           template_names());
  ASSERT_TRUE(t);
  p.ipxe_template = std::make_shared<const Template>(std::move(*t));
  EXPECT_EQ(render_boot_file(p, LoaderKind::ipxe, machine(), site(), false),
            "#!ipxe\nchain http://198.18.0.1/menu.ipxe?mac=52:54:00:e2:e0:01&arch=7\n");
}

TEST(Render, UnknownMachineRendersWithEmptyFacts) {
  std::string s = render_boot_file(debian(), LoaderKind::pxelinux, MachineFacts{}, site(), false);
  EXPECT_THAT(s, HasSubstr("root=live:http://198.18.0.1/images/.img host=\n"));
}

TEST(Render, UrlsAndBuiltInsParse) {
  EXPECT_EQ(url_for("/a/b.efi", site()), "http://198.18.0.1/a/b.efi");
  EXPECT_EQ(url_for("a", site(8080)), "http://198.18.0.1:8080/a");
  EXPECT_EQ(url_for("http://x/y", site()), "http://x/y");
  for (LoaderKind k : {LoaderKind::pxelinux, LoaderKind::ipxe, LoaderKind::grub}) {
    EXPECT_FALSE(builtin_template(k).render({}).empty());
  }
}

}  // namespace
}  // namespace pxed::boot

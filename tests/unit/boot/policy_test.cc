#include "boot/policy.h"

#include <gtest/gtest.h>

#include "boot/arch_table.h"

namespace pxed::boot {
namespace {

BootRequest req(std::optional<std::uint16_t> arch, bool ipxe = false, bool http = false) {
  BootRequest r;
  r.arch = arch;
  r.ipxe = ipxe;
  r.http_boot = http;
  return r;
}

PolicyConfig base_config() {
  PolicyConfig c;
  c.server = *Ipv4::parse("198.18.0.1");
  return c;
}

TEST(BootPolicy, BuiltInLoadersByArchitecture) {
  Policy p(base_config());
  EXPECT_EQ(p.decide(req(0, false, false))->file, "pxelinux.0");
  EXPECT_EQ(p.decide(req(7, false, false))->file, "ipxe.efi");
  EXPECT_EQ(p.decide(req(9, false, false))->file, "ipxe.efi");
  EXPECT_EQ(p.decide(req(11, false, false))->file, "grubnetaa64.efi");
  EXPECT_FALSE(p.decide(req(6, false, false))) << "no default loader for IA32 UEFI";
  EXPECT_FALSE(p.decide(req(4242, false, false)));
}

TEST(BootPolicy, NoArchitectureMeansBios) {
  Policy p(base_config());
  EXPECT_EQ(p.decide(req(std::nullopt, false, false))->file, "pxelinux.0");
}

TEST(BootPolicy, OverridesWin) {
  PolicyConfig c = base_config();
  c.boot_files[0] = "undionly.kpxe";
  c.boot_files[7] = "snponly.efi";
  Policy p(c);
  EXPECT_EQ(p.decide(req(0, false, false))->file, "undionly.kpxe");
  EXPECT_EQ(p.decide(req(7, false, false))->file, "snponly.efi");
  EXPECT_EQ(p.decide(req(9, false, false))->file, "ipxe.efi");
}

TEST(BootPolicy, IpxeGetsItsScriptOnlyWhenConfigured) {
  PolicyConfig c = base_config();
  Policy without(c);
  EXPECT_EQ(without.decide(req(0, true, false))->file, "pxelinux.0");
  c.ipxe_boot_file = "http://198.18.0.1/boot.ipxe";
  Policy with(c);
  auto d = with.decide(req(0, true, false));
  EXPECT_EQ(d->file, "http://198.18.0.1/boot.ipxe");
  EXPECT_TRUE(d->url);
  EXPECT_EQ(with.decide(req(0, false, false))->file, "pxelinux.0");
}

TEST(BootPolicy, HttpBootGetsUrls) {
  PolicyConfig c = base_config();
  c.http_port = 8080;
  Policy p(c);
  auto d = p.decide(req(16, false, true));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->file, "http://198.18.0.1:8080/ipxe.efi");
  EXPECT_TRUE(d->url);
  EXPECT_EQ(Policy(base_config()).http_url("/a/b.efi"), "http://198.18.0.1/a/b.efi");
}

TEST(BootPolicy, HostBootFileWinsExceptForIpxe) {
  PolicyConfig c = base_config();
  c.ipxe_boot_file = "http://198.18.0.1/boot.ipxe";
  Policy p(c);
  BootRequest r = req(7);
  r.host_boot_file = "special.efi";
  EXPECT_EQ(p.decide(r)->file, "special.efi");
  r.ipxe = true;
  EXPECT_EQ(p.decide(r)->file, "http://198.18.0.1/boot.ipxe");
}

TEST(BootPolicy, UrlsUseTheAddressTheClientReached) {
  Policy p(base_config());
  BootRequest r = req(16, false, true);
  r.server = *Ipv4::parse("198.18.4.1");
  EXPECT_EQ(p.decide(r)->file, "http://198.18.4.1/ipxe.efi");
}

TEST(ArchKeyword, NamesAndNumbers) {
  std::uint16_t storage = 0;
  auto efi64 = parse_arch_keyword("efi64", storage);
  ASSERT_EQ(efi64.size(), 2u);
  EXPECT_EQ(efi64[0], 7);
  EXPECT_EQ(efi64[1], 9);
  auto n = parse_arch_keyword("19", storage);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0], 19);
  EXPECT_TRUE(parse_arch_keyword("mips", storage).empty());
  EXPECT_TRUE(parse_arch_keyword("70000", storage).empty());
  EXPECT_TRUE(parse_arch_keyword("", storage).empty());
  EXPECT_EQ(arch_description(7), "x64 UEFI");
  EXPECT_EQ(arch_description(std::nullopt), "no arch");
}

}  // namespace
}  // namespace pxed::boot

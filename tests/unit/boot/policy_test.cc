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
  // x64 UEFI: the iPXE that drives the NIC through the firmware's own network driver (SNP).
  EXPECT_EQ(p.decide(req(7, false, false))->file, "snponly.efi");
  EXPECT_EQ(p.decide(req(9, false, false))->file, "snponly.efi");
  EXPECT_EQ(p.decide(req(16, false, true))->file, "http://198.18.0.1/ipxe.efi");
  EXPECT_EQ(p.decide(req(11, false, false))->file, "grubnetaa64.efi");
  EXPECT_EQ(p.decide(req(6, false, false))->file, "ipxe-ia32.efi");
  EXPECT_EQ(p.decide(req(27, false, false))->file, "grubnetriscv64.efi");
  EXPECT_FALSE(p.decide(req(4242, false, false))) << "an unknown architecture gets nothing";
}

TEST(BootPolicy, NoArchitectureMeansBios) {
  Policy p(base_config());
  EXPECT_EQ(p.decide(req(std::nullopt, false, false))->file, "pxelinux.0");
}

TEST(BootPolicy, OverridesWin) {
  PolicyConfig c = base_config();
  c.boot_files[0] = "undionly.kpxe";
  c.boot_files[7] = "ipxe.efi";
  Policy p(c);
  EXPECT_EQ(p.decide(req(0, false, false))->file, "undionly.kpxe");
  EXPECT_EQ(p.decide(req(7, false, false))->file, "ipxe.efi");
  EXPECT_EQ(p.decide(req(9, false, false))->file, "snponly.efi");
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


TEST(ArchTable, EveryRegisteredArchitectureHasALoader) {
  for (int n : {0, 6, 7, 9, 10, 11, 15, 16, 18, 19, 25, 26, 27, 28}) {
    auto code = static_cast<std::uint16_t>(n);
    const ArchInfo* a = find_arch(code);
    ASSERT_NE(a, nullptr) << code;
    EXPECT_FALSE(a->default_loader().empty()) << code;
  }
  EXPECT_TRUE(find_arch(16)->http_boot);
  EXPECT_FALSE(find_arch(7)->http_boot);
  EXPECT_EQ(find_arch(7)->loader(LoaderKind::grub), "grubnetx64.efi");
  EXPECT_EQ(find_arch(7)->loader(LoaderKind::pxelinux), "syslinux.efi");
  EXPECT_EQ(find_arch(0)->loader(LoaderKind::ipxe), "undionly.kpxe");
  EXPECT_EQ(parse_loader_kind("syslinux"), LoaderKind::pxelinux);
  EXPECT_FALSE(parse_loader_kind("lilo"));
}

Profile profile(std::string name, LoaderKind loader) {
  Profile p;
  p.name = std::move(name);
  p.loader = loader;
  p.kernel = "vmlinuz";
  return p;
}

Rule rule(Match m, std::string profile, std::string where) {
  return Rule{std::move(m), std::move(profile), std::move(where)};
}

PolicyConfig profiles_config() {
  PolicyConfig c = base_config();
  c.ipxe_boot_file = "http://198.18.0.1/boot.ipxe";
  c.profiles = {profile("debian", LoaderKind::ipxe), profile("rescue", LoaderKind::pxelinux),
                profile("grub", LoaderKind::grub)};
  return c;
}

MacAddress mac(std::string_view text) {
  return *MacAddress::parse(text);
}

TEST(BootProfiles, IpxeProfileChainsFirmwareToItsOwnScript) {
  PolicyConfig c = profiles_config();
  c.default_profile = "debian";
  Policy p(c);
  BootRequest r = req(0);
  r.mac = mac("52:54:00:e2:e0:01");
  auto fw = p.decide(r);
  EXPECT_EQ(fw->file, "undionly.kpxe");
  EXPECT_EQ(fw->profile, "debian");
  EXPECT_EQ(fw->why, "boot.default-profile");
  r.arch = 7;
  EXPECT_EQ(p.decide(r)->file, "snponly.efi");
  r.ipxe = true;
  auto script = p.decide(r);
  EXPECT_EQ(script->file, "http://198.18.0.1/ipxe/52-54-00-e2-e0-01.ipxe")
      << "iPXE gets its script, never iPXE again (and the profile wins over ipxe-boot-file)";
  EXPECT_TRUE(script->url);
  EXPECT_EQ(script->stage, "iPXE");
}

TEST(BootProfiles, OtherLoadersAreChainedFromIpxeToo) {
  PolicyConfig c = profiles_config();
  c.default_profile = "rescue";
  Policy p(c);
  BootRequest r = req(0, true);
  EXPECT_EQ(p.decide(r)->file, "pxelinux.0") << "iPXE ROM chainloads pxelinux.0";
  r = req(7, true);
  EXPECT_EQ(p.decide(r)->file, "syslinux.efi");
}

TEST(BootProfiles, HttpBootGetsTheProfilesLoaderAsAUrl) {
  PolicyConfig c = profiles_config();
  c.default_profile = "grub";
  Policy p(c);
  auto d = p.decide(req(16, false, true));
  EXPECT_EQ(d->file, "http://198.18.0.1/grubnetx64.efi");
  EXPECT_TRUE(d->url);
  EXPECT_EQ(d->stage, "HTTP Boot");
}

TEST(BootProfiles, LoaderFilesOverrideTheTable) {
  PolicyConfig c = profiles_config();
  c.profiles[0].loader_files[7] = "ipxe.efi";
  c.default_profile = "debian";
  Policy p(c);
  EXPECT_EQ(p.decide(req(7))->file, "ipxe.efi");
  EXPECT_EQ(p.decide(req(9))->file, "snponly.efi");
}

TEST(BootProfiles, FirstMatchingRuleWinsThenTheDefault) {
  PolicyConfig c = profiles_config();
  Match by_prefix;
  by_prefix.mac_prefix = {0x52, 0x54, 0x01};
  Match by_arch;
  by_arch.arch = {7, 9};
  Match by_class;
  by_class.user_class = "ipxe";
  c.rules = {rule(by_prefix, "rescue", "boot.rule[0]"), rule(by_arch, "grub", "boot.rule[1]"),
             rule(by_class, "rescue", "boot.rule[2]")};
  c.default_profile = "debian";
  Policy p(c);
  BootRequest r = req(7);
  r.mac = mac("52:54:01:00:00:01");
  EXPECT_EQ(p.select(r).why, "boot.rule[0]");
  r.mac = mac("52:54:00:00:00:01");
  EXPECT_EQ(p.select(r).profile->name, "grub");
  r.arch = 0;
  r.user_class = "iPXE";
  EXPECT_EQ(p.select(r).why, "boot.rule[2]") << "user class is matched without regard to case";
  r.user_class.clear();
  EXPECT_EQ(p.select(r).profile->name, "debian");
  c.default_profile.clear();
  EXPECT_EQ(Policy(c).select(r).profile, nullptr);
  EXPECT_EQ(Policy(c).decide(r)->file, "pxelinux.0") << "no profile: the table decides";
}

TEST(BootProfiles, UuidMatchesInEitherByteOrder) {
  PolicyConfig c = profiles_config();
  Match m;
  m.uuid = parse_uuid("4c4c4544-0042-3510-8056-b4c04f4a3032");
  ASSERT_TRUE(m.uuid);
  c.rules = {rule(m, "rescue", "uuid rule")};
  Policy p(c);
  BootRequest r = req(7);
  EXPECT_EQ(p.select(r).profile, nullptr);
  r.uuid = *parse_uuid("4c4c4544004235108056b4c04f4a3032");
  EXPECT_EQ(p.select(r).why, "uuid rule");
  r.uuid = *parse_uuid("44454c4c-4200-1035-8056-b4c04f4a3032");  // SMBIOS little-endian fields
  EXPECT_EQ(p.select(r).why, "uuid rule");
  r.uuid = *parse_uuid("44454c4c-4200-1035-8056-b4c04f4a3033");
  EXPECT_EQ(p.select(r).profile, nullptr);
  EXPECT_FALSE(parse_uuid("4c4c4544-0042-3510-8056-b4c04f4a30"));
  EXPECT_FALSE(parse_uuid("zz4c4544-0042-3510-8056-b4c04f4a3032"));
}

TEST(BootProfiles, HostnamesAndLabelsComeFromTheRequestOrTheHostRecord) {
  PolicyConfig c = profiles_config();
  Match by_name;
  by_name.hostname = "node-*";
  Match by_label;
  by_label.labels = {"rack1", "gpu"};
  c.rules = {rule(by_name, "rescue", "name"), rule(by_label, "grub", "labels")};
  MemoryHosts hosts;
  Policy p(c, &hosts);
  BootRequest r = req(7);
  r.mac = mac("52:54:00:00:00:07");
  r.hostname = "NODE-12";
  EXPECT_EQ(p.select(r).why, "name");
  r.hostname.clear();
  EXPECT_EQ(p.select(r).profile, nullptr);
  hosts.put(HostRecord{r.mac, "", "node-3", {"gpu"}, false, 0});
  EXPECT_EQ(p.select(r).why, "name") << "the host record's name counts";
  hosts.put(HostRecord{r.mac, "", "", {"gpu"}, false, 0});
  EXPECT_EQ(p.select(r).profile, nullptr) << "every label of the rule is needed";
  hosts.put(HostRecord{r.mac, "", "", {"gpu", "rack1", "x"}, false, 0});
  EXPECT_EQ(p.select(r).why, "labels");
}

TEST(BootProfiles, TheHostRecordsProfileWinsOverRules) {
  PolicyConfig c = profiles_config();
  c.default_profile = "debian";
  MemoryHosts hosts;
  Policy p(c, &hosts);
  BootRequest r = req(7);
  r.mac = mac("52:54:00:00:00:08");
  hosts.put(HostRecord{r.mac, "grub", "", {}, false, 0});
  EXPECT_EQ(p.select(r).profile->name, "grub");
  EXPECT_EQ(p.select(r).why, "host record");
  hosts.put(HostRecord{r.mac, "gone", "", {}, false, 0});
  auto s = p.select(r);
  EXPECT_EQ(s.profile->name, "debian");
  EXPECT_EQ(s.why, "the host record's profile \"gone\" is not configured; boot.default-profile");
}

TEST(BootProfiles, BootOnceSendsTheHostToItsDiskAfterTheGrace) {
  PolicyConfig c = profiles_config();
  c.default_profile = "debian";
  MemoryHosts hosts;
  Policy p(c, &hosts);
  BootRequest r = req(7);
  r.mac = mac("52:54:00:00:00:09");
  hosts.put(HostRecord{r.mac, "", "", {}, true, 0});
  r.now = 1000;
  EXPECT_FALSE(p.select(r).local_boot);
  ASSERT_TRUE(hosts.mark_netbooted(r.mac, 1000));
  r.now = 1000 + kBootOnceGrace;
  EXPECT_FALSE(p.select(r).local_boot) << "a second read in the same boot still network-boots";
  r.now = 1001 + kBootOnceGrace;
  EXPECT_TRUE(p.select(r).local_boot);
}

TEST(Glob, StarsMatchAnyRun) {
  EXPECT_TRUE(glob_match("node-*", "node-12"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("n*e*3", "node-123"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("node-*", "nod"));
  EXPECT_FALSE(glob_match("a*b", "aXbY"));
  EXPECT_TRUE(glob_match("WEB", "web"));
}

}  // namespace
}  // namespace pxed::boot

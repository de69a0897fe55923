#include "boot/boot_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boot/explain.h"

namespace pxed::boot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const MacAddress kMac = *MacAddress::parse("52:54:00:e2:e0:01");
const Ipv4 kIp = *Ipv4::parse("198.18.0.100");

PolicyConfig config() {
  PolicyConfig c;
  c.server = *Ipv4::parse("198.18.0.1");
  Profile debian;
  debian.name = "debian";
  debian.kernel = "vmlinuz";
  debian.initrds = {"initrd.gz"};
  debian.cmdline = "ip={{ip}} arch={{arch}}";
  Profile arm = debian;
  arm.name = "arm";
  arm.loader = LoaderKind::grub;
  c.profiles = {debian, arm};
  Match m;
  m.arch = {11};
  c.rules = {Rule{m, "arm", "arm rule"}};
  c.default_profile = "debian";
  return c;
}

TEST(BootPath, NamesOfRenderedFiles) {
  auto p = parse_boot_path("pxelinux.cfg/01-52-54-00-e2-e0-01");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, LoaderKind::pxelinux);
  EXPECT_EQ(p->mac, kMac);
  EXPECT_EQ(parse_boot_path("pxelinux.cfg/default")->mac, std::nullopt);
  EXPECT_EQ(parse_boot_path("ipxe/52-54-00-E2-E0-01.ipxe")->mac, kMac);
  EXPECT_EQ(parse_boot_path("grub/grub.cfg-01-52-54-00-e2-e0-01")->mac, kMac);
  EXPECT_EQ(parse_boot_path("grub/grub.cfg-52:54:00:e2:e0:01")->mac, kMac);
  EXPECT_EQ(parse_boot_path("grub/grub.cfg")->kind, LoaderKind::grub);
  EXPECT_FALSE(parse_boot_path("pxelinux.cfg/C6120064")) << "IP-named probes go to the disk";
  EXPECT_FALSE(parse_boot_path("pxelinux.cfg/01-zz-54-00-e2-e0-01"));
  EXPECT_FALSE(parse_boot_path("ipxe/boot.ipxe"));
  EXPECT_FALSE(parse_boot_path("vmlinuz"));
}

TEST(BootFiles, PerMacFilesUseWhatDhcpSaw) {
  Policy policy(config());
  Sightings seen;
  seen.record(Sighting{kMac, kIp, 7, false, std::nullopt, "", "", 0});
  BootFiles files(policy, seen);
  auto r = files.render("pxelinux.cfg/01-52-54-00-e2-e0-01", Ipv4(), 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->profile, "debian");
  EXPECT_THAT(r->text, HasSubstr("APPEND ip=198.18.0.100 arch=7\n"));
  auto s = files.render("ipxe/52-54-00-e2-e0-01.ipxe", kIp, 0);
  ASSERT_TRUE(s);
  EXPECT_THAT(s->text, HasSubstr("kernel http://198.18.0.1/vmlinuz"));
}

TEST(BootFiles, SharedNamesAreRenderedForTheMachineAtTheAsker) {
  Policy policy(config());
  Sightings seen;
  seen.record(Sighting{kMac, kIp, 11, false, std::nullopt, "", "", 0});
  BootFiles files(policy, seen);
  auto g = files.render("grub/grub.cfg", kIp, 0);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->profile, "arm") << "the arch rule applies to the machine known at that address";
  EXPECT_THAT(g->text, HasSubstr("linux /vmlinuz ip=198.18.0.100 arch=11"));
  // Somebody DHCP never saw: GRUB is told to ask by MAC; pxelinux gets the default profile.
  auto unknown = files.render("grub/grub.cfg", *Ipv4::parse("198.18.0.7"), 0);
  ASSERT_TRUE(unknown);
  EXPECT_THAT(unknown->text, HasSubstr("configfile /grub/grub.cfg-01-${net_default_mac}"));
  auto d = files.render("pxelinux.cfg/default", *Ipv4::parse("198.18.0.7"), 0);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->profile, "debian");
  EXPECT_THAT(d->text, HasSubstr("ip=198.18.0.7 arch=\n"));
}

TEST(BootFiles, NoProfileNoFile) {
  PolicyConfig c = config();
  c.default_profile.clear();
  Policy policy(c);
  Sightings seen;
  BootFiles files(policy, seen);
  EXPECT_FALSE(files.render("pxelinux.cfg/default", kIp, 0)) << "the file on disk answers";
  EXPECT_FALSE(files.render("pxelinux.cfg/01-52-54-00-e2-e0-01", kIp, 0));
  EXPECT_FALSE(files.render("vmlinuz", kIp, 0));
}

TEST(BootFiles, BootOnceIsMarkedWhenServedThenLocal) {
  MemoryHosts hosts;
  hosts.put(HostRecord{kMac, "", "", {}, true, 0});
  Policy policy(config(), &hosts);
  Sightings seen;
  BootFiles files(policy, seen);
  auto first = files.serve("ipxe/52-54-00-e2-e0-01.ipxe", kIp, 5000);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->first_netboot);
  EXPECT_FALSE(first->local_boot);
  EXPECT_EQ(hosts.find(kMac)->netbooted_at, 5000);
  auto again = files.serve("ipxe/52-54-00-e2-e0-01.ipxe", kIp, 5010);
  EXPECT_FALSE(again->first_netboot);
  EXPECT_THAT(again->text, HasSubstr("kernel "));
  auto later = files.serve("ipxe/52-54-00-e2-e0-01.ipxe", kIp, 5001 + kBootOnceGrace);
  EXPECT_TRUE(later->local_boot);
  EXPECT_THAT(later->text, HasSubstr("exit"));
  EXPECT_THAT(later->text, Not(HasSubstr("kernel")));
}

TEST(Sightings, LaterMessagesKeepWhatEarlierOnesSaid) {
  Sightings seen(2);
  seen.record(Sighting{kMac, kIp, 7, false, std::nullopt, "", "pc", 1});
  // syslinux.efi's own DHCP: no architecture, no host name.
  seen.record(Sighting{kMac, Ipv4(), std::nullopt, false, std::nullopt, "", "", 2});
  auto s = seen.by_ip(kIp);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->arch, 7);
  EXPECT_EQ(s->hostname, "pc");
  // A new address replaces the old one.
  Ipv4 other = *Ipv4::parse("198.18.0.101");
  seen.record(Sighting{kMac, other, std::nullopt, false, std::nullopt, "", "", 3});
  EXPECT_FALSE(seen.by_ip(kIp));
  EXPECT_EQ(seen.by_ip(other)->mac, kMac);
  // Bounded: the least recently seen goes first.
  MacAddress b = *MacAddress::parse("52:54:00:00:00:0b");
  MacAddress c = *MacAddress::parse("52:54:00:00:00:0c");
  seen.record(Sighting{b, *Ipv4::parse("198.18.0.11"), 0, false, std::nullopt, "", "", 4});
  seen.record(Sighting{kMac, other, 7, false, std::nullopt, "", "", 5});
  seen.record(Sighting{c, *Ipv4::parse("198.18.0.12"), 0, false, std::nullopt, "", "", 6});
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen.by_mac(b));
  EXPECT_FALSE(seen.by_ip(*Ipv4::parse("198.18.0.11")));
  EXPECT_TRUE(seen.by_mac(kMac));
}

TEST(Explain, ShowsEveryStageAndTheRenderedScript) {
  MemoryHosts hosts;
  Policy policy(config(), &hosts);
  ExplainInput in;
  in.mac = kMac;
  in.arch = 7;
  in.ip = kIp;
  std::string text = explain(policy, in, 0);
  EXPECT_THAT(text, HasSubstr("profile: debian (loader ipxe), chosen by boot.default-profile"));
  EXPECT_THAT(text, HasSubstr("1. the firmware's PXE asks DHCP"));
  EXPECT_THAT(text, HasSubstr("boot file (file, option 67): snponly.efi (fetched over TFTP)"));
  EXPECT_THAT(text, HasSubstr("2. iPXE asks DHCP"));
  EXPECT_THAT(text, HasSubstr("http://198.18.0.1/ipxe/52-54-00-e2-e0-01.ipxe (fetched over HTTP)"));
  EXPECT_THAT(text, HasSubstr("3. the ipxe loader reads ipxe/52-54-00-e2-e0-01.ipxe"));
  EXPECT_THAT(text, HasSubstr("    kernel http://198.18.0.1/vmlinuz"));
  in.arch = 16;
  text = explain(policy, in, 0);
  EXPECT_THAT(text, HasSubstr("option 60: \"HTTPClient\""));
  EXPECT_THAT(text, HasSubstr("http://198.18.0.1/ipxe.efi (fetched over HTTP)"));
  in.arch = 11;
  hosts.put(HostRecord{kMac, "", "", {}, true, 1});
  text = explain(policy, in, 1 + kBootOnceGrace + 1);
  EXPECT_THAT(text, HasSubstr("chosen by arm rule"));
  EXPECT_THAT(text, HasSubstr("boot once: used, boots from its local disk"));
  EXPECT_THAT(text, HasSubstr("grubnetaa64.efi"));
  EXPECT_THAT(text, HasSubstr("    exit\n"));
}

}  // namespace
}  // namespace pxed::boot

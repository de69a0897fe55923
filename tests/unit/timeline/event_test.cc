#include "timeline/event.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pxed::timeline {
namespace {

const MacAddress kMac = *MacAddress::parse("52:54:00:e2:e0:01");
const Ipv4 kIp = *Ipv4::parse("198.18.0.135");

TEST(TimelineStage, LoadersByName) {
  for (const char* f : {"pxelinux.0", "lpxelinux.0", "ipxe.efi", "snponly.efi", "grubnetx64.efi",
                        "undionly.kpxe", "syslinux.efi", "bios/ldlinux.c32", "efi64/ldlinux.e64",
                        "grub/x86_64-efi/normal.mod", "/ipxe.efi", "ipxe.lkrn", "BOOTX64.EFI"}) {
    EXPECT_EQ(stage_for_file(f), Stage::loader) << f;
  }
}

TEST(TimelineStage, BootConfigsByName) {
  for (const char* f :
       {"pxelinux.cfg/01-52-54-00-e2-e0-01", "pxelinux.cfg/C61200", "pxelinux.cfg/default",
        "bios/pxelinux.cfg/default", "boot.ipxe", "/boot.ipxe?mac=52:54:00:e2:e0:01",
        "grub/grub.cfg", "grub/grub.cfg-01-52-54-00-e2-e0-01", "syslinux.cfg", "menu.conf"}) {
    EXPECT_EQ(stage_for_file(f), Stage::boot_config) << f;
  }
}

TEST(TimelineStage, KernelInitrdRootfsAndOther) {
  for (const char* f : {"vmlinuz", "vmlinuz-6.1.0-18-amd64", "/debian/linux", "linux.efi",
                        "bzImage", "kernel.bin"}) {
    EXPECT_EQ(stage_for_file(f), Stage::kernel) << f;
  }
  for (const char* f : {"initrd.img", "initrd.gz", "/initramfs-6.1.img", "root.cpio.gz"}) {
    EXPECT_EQ(stage_for_file(f), Stage::initrd) << f;
  }
  for (const char* f : {"/rootfs.img", "rootfs/base.tar", "live/filesystem.squashfs", "debian.iso",
                        "disk.qcow2", "rootfs"}) {
    EXPECT_EQ(stage_for_file(f), Stage::rootfs) << f;
  }
  for (const char* f : {"", "/", "README", "memtest86+", "/api/v1/status"}) {
    EXPECT_EQ(stage_for_file(f), Stage::other) << f;
  }
}

TEST(TimelineStage, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Stage::other); ++i) {
    auto s = static_cast<Stage>(i);
    EXPECT_EQ(stage_from_string(to_string(s)), s);
  }
  EXPECT_EQ(to_string(Stage::boot_config), "boot_config");
  EXPECT_EQ(stage_from_string("nonsense"), std::nullopt);
  EXPECT_EQ(protocol_from_string("tftp"), Protocol::tftp);
  EXPECT_EQ(outcome_from_string("failed"), Outcome::failed);
  EXPECT_EQ(outcome_from_string("FAILED"), std::nullopt);
}

TEST(TimelineFormat, Sizes) {
  EXPECT_EQ(format_size(0), "0 bytes");
  EXPECT_EQ(format_size(1), "1 byte");
  EXPECT_EQ(format_size(1023), "1023 bytes");
  EXPECT_EQ(format_size(1024), "1 KB");
  EXPECT_EQ(format_size(850 * 1024), "850 KB");
  EXPECT_EQ(format_size(1024 * 1024 - 1), "1.0 MB");
  EXPECT_EQ(format_size(12 * 1024 * 1024 + 512 * 1024), "12.5 MB");
  EXPECT_EQ(format_size(206ull * 1024 * 1024), "206 MB");
  EXPECT_EQ(format_size(1536ull * 1024 * 1024), "1.5 GB");
}

TEST(TimelineFormat, Durations) {
  EXPECT_EQ(format_duration(0), "0 s");
  EXPECT_EQ(format_duration(0.0004), "1 ms");
  EXPECT_EQ(format_duration(0.012), "12 ms");
  EXPECT_EQ(format_duration(0.2), "0.2 s");
  EXPECT_EQ(format_duration(0.24), "0.2 s");
  EXPECT_EQ(format_duration(9.94), "9.9 s");
  EXPECT_EQ(format_duration(9.96), "10 s");
  EXPECT_EQ(format_duration(42.4), "42 s");
  EXPECT_EQ(format_duration(120), "2 min");
  EXPECT_EQ(format_duration(125.2), "2 min 5 s");
}

TEST(TimelineFormat, Iso8601UtcWithMilliseconds) {
  EXPECT_EQ(format_time_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time_ms(1714564800123), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(format_time_ms(951782400999), "2000-02-29T00:00:00.999Z");
}

TEST(TimelineDhcp, OfferToABootFirmware) {
  DhcpFacts f;
  f.mac = kMac;
  f.request = DhcpMessage::discover;
  f.reply = DhcpMessage::offer;
  f.address = kIp;
  f.boot_file = "ipxe.efi";
  f.profile = "debian";
  f.arch = 7;
  f.pxe = true;
  Event e = dhcp_event(1000, f);
  EXPECT_EQ(e.summary, "DHCP offer 198.18.0.135, boot file ipxe.efi");
  EXPECT_EQ(e.protocol, Protocol::dhcp);
  EXPECT_EQ(e.stage, Stage::dhcp_offer);
  EXPECT_EQ(e.outcome, Outcome::ok);
  EXPECT_EQ(e.at_ms, 1000);
  EXPECT_EQ(e.id, 0);
  EXPECT_EQ(e.mac, kMac);
  EXPECT_EQ(e.ip, kIp);
  EXPECT_EQ(e.details.at("arch"), "7");
  EXPECT_EQ(e.details.at("file"), "ipxe.efi");
  EXPECT_EQ(e.details.at("profile"), "debian");
  EXPECT_EQ(e.details.at("client"), "firmware");
  EXPECT_EQ(e.details.at("request"), "discover");
  EXPECT_EQ(e.details.at("reply"), "offer");
}

TEST(TimelineDhcp, AckNakAndSilence) {
  DhcpFacts f;
  f.mac = kMac;
  f.ipxe = true;
  f.request = DhcpMessage::request;
  f.reply = DhcpMessage::ack;
  f.address = kIp;
  f.boot_file = "http://198.18.0.1/boot.ipxe";
  Event ack = dhcp_event(1, f);
  EXPECT_EQ(ack.summary, "DHCP ack 198.18.0.135, boot file http://198.18.0.1/boot.ipxe");
  EXPECT_EQ(ack.stage, Stage::dhcp_ack);
  EXPECT_EQ(ack.details.at("client"), "ipxe");

  f.reply = DhcpMessage::nak;
  f.boot_file.clear();
  f.note = "address not on this subnet";
  Event nak = dhcp_event(1, f);
  EXPECT_EQ(nak.summary, "DHCP nak for 198.18.0.135: address not on this subnet");
  EXPECT_EQ(nak.stage, Stage::dhcp_ack);
  EXPECT_EQ(nak.outcome, Outcome::failed);

  DhcpFacts d;
  d.mac = kMac;
  d.pxe = true;
  d.note = "no free address";
  Event silent = dhcp_event(1, d);
  EXPECT_EQ(silent.summary, "DHCP discover not answered: no free address");
  EXPECT_EQ(silent.stage, Stage::dhcp_discover);
  EXPECT_EQ(silent.outcome, Outcome::failed);

  DhcpFacts other_server;
  other_server.mac = kMac;
  other_server.pxe = true;
  other_server.request = DhcpMessage::request;
  Event elsewhere = dhcp_event(1, other_server);
  EXPECT_EQ(elsewhere.summary, "DHCP request not answered");
  EXPECT_EQ(elsewhere.outcome, Outcome::info);
}

TEST(TimelineDhcp, WithoutBootMarksIsTheOperatingSystem) {
  DhcpFacts f;
  f.mac = kMac;
  f.request = DhcpMessage::request;
  f.reply = DhcpMessage::ack;
  f.address = kIp;
  Event e = dhcp_event(5, f);
  EXPECT_EQ(e.summary, "DHCP ack 198.18.0.135");
  EXPECT_EQ(e.stage, Stage::os_dhcp);
  EXPECT_EQ(e.outcome, Outcome::ok);
  EXPECT_EQ(e.details.at("client"), "os");

  f.request = DhcpMessage::release;
  f.reply.reset();
  Event rel = dhcp_event(5, f);
  EXPECT_EQ(rel.summary, "DHCP release 198.18.0.135");
  EXPECT_EQ(rel.outcome, Outcome::info);
}

TEST(TimelineDhcp, ProxyOfferHasNoAddress) {
  DhcpFacts f;
  f.mac = kMac;
  f.pxe = true;
  f.proxy = true;
  f.reply = DhcpMessage::offer;
  f.boot_file = "pxelinux.0";
  Event e = dhcp_event(5, f);
  EXPECT_EQ(e.summary, "DHCP offer, boot file pxelinux.0");
  EXPECT_EQ(e.ip, Ipv4());
  EXPECT_EQ(e.details.at("proxy"), "true");
}

TEST(TimelineTftp, SummariesAsInTheIssue) {
  TransferFacts t;
  t.client = kIp;
  t.mac = kMac;
  t.file = "ipxe.efi";
  t.bytes = 850 * 1024;
  t.seconds = 0.2;
  t.blksize = 1468;
  t.windowsize = 4;
  Event e = tftp_event(7, t);
  EXPECT_EQ(e.summary, "TFTP ipxe.efi 850 KB in 0.2 s (blksize 1468, windowsize 4)");
  EXPECT_EQ(e.protocol, Protocol::tftp);
  EXPECT_EQ(e.stage, Stage::loader);
  EXPECT_EQ(e.outcome, Outcome::ok);
  EXPECT_EQ(e.ip, kIp);
  EXPECT_EQ(e.details.at("bytes"), "870400");
  EXPECT_EQ(e.details.at("seconds"), "0.200");
  EXPECT_EQ(e.details.at("blksize"), "1468");
  EXPECT_EQ(e.details.at("windowsize"), "4");

  TransferFacts missing;
  missing.client = kIp;
  missing.file = "pxelinux.cfg/01-52-54-00-e2-e0-01";
  missing.ok = false;
  missing.error = "not found";
  Event m = tftp_event(8, missing);
  EXPECT_EQ(m.summary, "TFTP pxelinux.cfg/01-52-54-00-e2-e0-01: not found");
  EXPECT_EQ(m.stage, Stage::boot_config);
  EXPECT_EQ(m.outcome, Outcome::failed);
  EXPECT_EQ(m.details.at("error"), "not found");
}

TEST(TimelineTftp, OptionsShownOnlyWhenNegotiated) {
  TransferFacts t;
  t.file = "pxelinux.0";
  t.bytes = 46909;
  t.seconds = 0.012;
  EXPECT_EQ(tftp_event(0, t).summary, "TFTP pxelinux.0 46 KB in 12 ms");
  t.blksize = 1432;
  EXPECT_EQ(tftp_event(0, t).summary, "TFTP pxelinux.0 46 KB in 12 ms (blksize 1432)");
  t.ok = false;
  EXPECT_EQ(tftp_event(0, t).summary, "TFTP pxelinux.0: failed");
}

TEST(TimelineHttp, RangesFullFilesAndErrors) {
  HttpFacts h;
  h.client = kIp;
  h.method = "GET";
  h.path = "/rootfs.img";
  h.status = 206;
  h.range = "0-1048575";
  h.bytes = 1048576;
  Event e = http_event(9, h);
  EXPECT_EQ(e.summary, "HTTP /rootfs.img 206 0-1048575");
  EXPECT_EQ(e.protocol, Protocol::http);
  EXPECT_EQ(e.stage, Stage::rootfs);
  EXPECT_EQ(e.outcome, Outcome::ok);
  EXPECT_EQ(e.details.at("status"), "206");
  EXPECT_EQ(e.details.at("range"), "0-1048575");

  HttpFacts k;
  k.method = "GET";
  k.path = "/vmlinuz";
  k.bytes = 8912896;
  k.seconds = 0.3;
  EXPECT_EQ(http_event(9, k).summary, "HTTP /vmlinuz 200 8.5 MB in 0.3 s");
  EXPECT_EQ(http_event(9, k).stage, Stage::kernel);

  HttpFacts head;
  head.method = "HEAD";
  head.path = "/rootfs.img";
  EXPECT_EQ(http_event(9, head).summary, "HTTP HEAD /rootfs.img 200");

  HttpFacts missing;
  missing.method = "GET";
  missing.path = "/nothing.img";
  missing.status = 404;
  Event m = http_event(9, missing);
  EXPECT_EQ(m.summary, "HTTP /nothing.img 404");
  EXPECT_EQ(m.outcome, Outcome::failed);

  HttpFacts cut = k;
  cut.error = "connection closed by the client";
  EXPECT_EQ(http_event(9, cut).summary,
            "HTTP /vmlinuz 200 8.5 MB in 0.3 s: connection closed by the client");
  EXPECT_EQ(http_event(9, cut).outcome, Outcome::failed);
}

TEST(TimelineJson, Shape) {
  TransferFacts t;
  t.client = kIp;
  t.mac = kMac;
  t.file = "ipxe.efi";
  t.bytes = 850 * 1024;
  t.seconds = 0.2;
  t.blksize = 1468;
  t.windowsize = 4;
  Event e = tftp_event(1714564800123, t);
  e.id = 42;
  nlohmann::json j = to_json(e);
  EXPECT_EQ(j["id"], 42);
  EXPECT_EQ(j["at"], "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(j["at_ms"], 1714564800123);
  EXPECT_EQ(j["mac"], "52:54:00:e2:e0:01");
  EXPECT_EQ(j["ip"], "198.18.0.135");
  EXPECT_EQ(j["protocol"], "tftp");
  EXPECT_EQ(j["stage"], "loader");
  EXPECT_EQ(j["outcome"], "ok");
  EXPECT_EQ(j["summary"], "TFTP ipxe.efi 850 KB in 0.2 s (blksize 1468, windowsize 4)");
  ASSERT_TRUE(j["details"].is_object());
  EXPECT_EQ(j["details"]["blksize"], "1468");
  EXPECT_EQ(j["details"]["file"], "ipxe.efi");
  EXPECT_EQ(j.size(), 10u);

  nlohmann::json implicit = e;  // ADL to_json
  EXPECT_EQ(implicit, j);

  Event unknown;
  nlohmann::json u = to_json(unknown);
  EXPECT_TRUE(u["mac"].is_null());
  EXPECT_TRUE(u["ip"].is_null());
  EXPECT_EQ(u["protocol"], "boot");
  EXPECT_EQ(u["stage"], "other");
  EXPECT_EQ(u["outcome"], "info");
  EXPECT_TRUE(u["details"].is_object());
  EXPECT_TRUE(u["details"].empty());
}

}  // namespace
}  // namespace pxed::timeline

#include "timeline/event_log.h"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pxed::timeline {
namespace {

const MacAddress kBios = *MacAddress::parse("52:54:00:e2:e0:01");
const MacAddress kUefi = *MacAddress::parse("52:54:00:e2:e0:02");
const Ipv4 kBiosIp = *Ipv4::parse("198.18.0.135");
const Ipv4 kUefiIp = *Ipv4::parse("198.18.0.136");

Event simple(std::int64_t at, MacAddress mac = kBios, Stage stage = Stage::other) {
  Event e;
  e.at_ms = at;
  e.mac = mac;
  e.stage = stage;
  e.summary = "event at " + std::to_string(at);
  return e;
}

Event dhcp(std::int64_t at, MacAddress mac, Ipv4 ip, DhcpMessage request, DhcpMessage reply,
           bool pxe, bool ipxe, std::string file = "") {
  DhcpFacts f;
  f.mac = mac;
  f.request = request;
  f.reply = reply;
  f.address = ip;
  f.pxe = pxe;
  f.ipxe = ipxe;
  f.boot_file = std::move(file);
  return dhcp_event(at, f);
}

Event tftp(std::int64_t at, MacAddress mac, Ipv4 ip, std::string file, std::uint64_t bytes,
           bool ok = true) {
  TransferFacts t;
  t.client = ip;
  t.mac = mac;
  t.file = std::move(file);
  t.bytes = bytes;
  t.seconds = 0.05;
  t.blksize = 1468;
  t.ok = ok;
  if (!ok) t.error = "not found";
  return tftp_event(at, t);
}

Event http(std::int64_t at, MacAddress mac, Ipv4 ip, std::string path, int status,
           std::string range = "") {
  HttpFacts h;
  h.client = ip;
  h.mac = mac;
  h.method = "GET";
  h.path = std::move(path);
  h.status = status;
  h.range = std::move(range);
  h.bytes = 1 << 20;
  h.seconds = 0.1;
  return http_event(at, h);
}

TEST(EventLogRing, AssignsIncreasingIdsAndKeepsTheNewest) {
  EventLog log({.capacity = 3});
  for (int i = 0; i < 5; ++i) {
    Event e = simple(100 + i);
    e.id = 999;  // ignored
    EXPECT_EQ(log.record(e).id, i + 1);
  }
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log.last_id(), 5);
  auto all = log.query({.limit = 0});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, 3);
  EXPECT_EQ(all[2].id, 5);
  EXPECT_EQ(all[2].at_ms, 104);
}

TEST(EventLogQuery, FiltersByMacTimeAndIdNewestLast) {
  EventLog log;
  for (int i = 0; i < 10; ++i) log.record(simple(1000 + i * 10, i % 2 ? kUefi : kBios));

  auto uefi = log.query({.mac = kUefi});
  ASSERT_EQ(uefi.size(), 5u);
  for (const auto& e : uefi) EXPECT_EQ(e.mac, kUefi);
  EXPECT_LT(uefi.front().id, uefi.back().id);

  auto window = log.query({.since_ms = 1020, .until_ms = 1050});
  ASSERT_EQ(window.size(), 3u);
  EXPECT_EQ(window[0].at_ms, 1020);
  EXPECT_EQ(window[2].at_ms, 1040);

  auto after = log.query({.after_id = 7});
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].id, 8);

  auto newest = log.query({.limit = 2});
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, 9);
  EXPECT_EQ(newest[1].id, 10);

  auto combined = log.query({.mac = kBios, .since_ms = 1000, .after_id = 2, .limit = 2});
  ASSERT_EQ(combined.size(), 2u);
  EXPECT_EQ(combined[0].id, 7);
  EXPECT_EQ(combined[1].id, 9);

  EXPECT_TRUE(log.query({.after_id = 10}).empty());
}

TEST(EventLogMachines, BiosBootThroughPxelinuxCompletes) {
  EventLog log;
  std::int64_t t = 1'700'000'000'000;
  using M = DhcpMessage;
  log.record(dhcp(t, kBios, kBiosIp, M::discover, M::offer, true, false, "pxelinux.0"));
  log.record(dhcp(t + 500, kBios, kBiosIp, M::request, M::ack, true, false, "pxelinux.0"));
  EXPECT_EQ(log.machine(kBios)->stage, Stage::dhcp_ack);
  log.record(tftp(t + 600, kBios, kBiosIp, "pxelinux.0", 46909));
  log.record(tftp(t + 700, kBios, kBiosIp, "ldlinux.c32", 120000));
  log.record(tftp(t + 800, kBios, kBiosIp, "pxelinux.cfg/01-52-54-00-e2-e0-01", 0, false));
  auto m = log.machine(kBios);
  EXPECT_EQ(m->stage, Stage::loader);  // a failed config does not count as reached
  EXPECT_EQ(m->last_outcome, Outcome::failed);
  EXPECT_EQ(m->last_summary, "TFTP pxelinux.cfg/01-52-54-00-e2-e0-01: not found");
  log.record(tftp(t + 900, kBios, kBiosIp, "pxelinux.cfg/default", 300));
  log.record(tftp(t + 1000, kBios, kBiosIp, "vmlinuz", 8'000'000));
  log.record(tftp(t + 3000, kBios, kBiosIp, "initrd.img", 30'000'000));
  EXPECT_EQ(log.machine(kBios)->stage, Stage::initrd);
  EXPECT_FALSE(log.machine(kBios)->completed);
  // The OS: plain DHCP, then its root file system over HTTP in ranges.
  log.record(dhcp(t + 9000, kBios, kBiosIp, M::discover, M::offer, false, false));
  log.record(dhcp(t + 9100, kBios, kBiosIp, M::request, M::ack, false, false));
  log.record(http(t + 9500, kBios, kBiosIp, "/rootfs.img", 206, "0-1048575"));

  m = log.machine(kBios);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->mac, kBios);
  EXPECT_EQ(m->ip, kBiosIp);
  EXPECT_EQ(m->first_seen_ms, t);
  EXPECT_EQ(m->last_seen_ms, t + 9500);
  EXPECT_EQ(m->boots, 1u);
  EXPECT_EQ(m->boot_started_ms, t);
  EXPECT_EQ(m->stage, Stage::os_dhcp);
  EXPECT_TRUE(m->completed);
  EXPECT_EQ(m->last_outcome, Outcome::ok);
  EXPECT_EQ(m->last_summary, "HTTP /rootfs.img 206 0-1048575");
  EXPECT_EQ(m->last_event_id, 11);

  nlohmann::json j = to_json(*m);
  EXPECT_EQ(j["mac"], "52:54:00:e2:e0:01");
  EXPECT_EQ(j["stage"], "os_dhcp");
  EXPECT_EQ(j["completed"], true);
  EXPECT_EQ(j["boots"], 1);
}

TEST(EventLogMachines, UefiBootChainsIpxeInOneBootAndARebootStartsAnother) {
  EventLog log;
  std::int64_t t = 1'700'000'000'000;
  using M = DhcpMessage;
  log.record(dhcp(t, kUefi, kUefiIp, M::discover, M::offer, true, false, "ipxe.efi"));
  log.record(dhcp(t + 1000, kUefi, kUefiIp, M::request, M::ack, true, false, "ipxe.efi"));
  log.record(tftp(t + 1200, kUefi, kUefiIp, "ipxe.efi", 1'000'000));
  // iPXE's own DHCP: a DISCOVER from a boot client, but the same boot going on.
  log.record(dhcp(t + 4000, kUefi, kUefiIp, M::discover, M::offer, true, true,
                  "http://198.18.0.1/boot.ipxe"));
  log.record(dhcp(t + 5000, kUefi, kUefiIp, M::request, M::ack, true, true,
                  "http://198.18.0.1/boot.ipxe"));
  auto m = log.machine(kUefi);
  EXPECT_EQ(m->boots, 1u);
  EXPECT_EQ(m->stage, Stage::loader);
  log.record(http(t + 5100, kUefi, kUefiIp, "/boot.ipxe", 200));
  EXPECT_EQ(log.machine(kUefi)->stage, Stage::boot_config);
  log.record(http(t + 5200, kUefi, kUefiIp, "/vmlinuz", 200));
  log.record(http(t + 5800, kUefi, kUefiIp, "/initrd.img", 200));
  m = log.machine(kUefi);
  EXPECT_EQ(m->stage, Stage::initrd);
  EXPECT_FALSE(m->completed);
  log.record(dhcp(t + 15000, kUefi, kUefiIp, M::request, M::ack, false, false));
  m = log.machine(kUefi);
  EXPECT_EQ(m->stage, Stage::os_dhcp);
  EXPECT_TRUE(m->completed);

  // Rebooted 30 s later (no long gap): the firmware's DISCOVER after a kernel is a new boot.
  log.record(dhcp(t + 45000, kUefi, kUefiIp, M::discover, M::offer, true, false, "ipxe.efi"));
  m = log.machine(kUefi);
  EXPECT_EQ(m->boots, 2u);
  EXPECT_EQ(m->boot_started_ms, t + 45000);
  EXPECT_EQ(m->stage, Stage::dhcp_offer);
  EXPECT_FALSE(m->completed);
  EXPECT_EQ(m->first_seen_ms, t);
}

TEST(EventLogMachines, FailedBootStopsAtTheMissingLoaderAndRetriesJoinIt) {
  EventLog log({.boot_gap_ms = 60'000});
  std::int64_t t = 1'700'000'000'000;
  using M = DhcpMessage;
  log.record(dhcp(t, kBios, kBiosIp, M::discover, M::offer, true, false, "pxelinux.0"));
  log.record(dhcp(t + 500, kBios, kBiosIp, M::request, M::ack, true, false, "pxelinux.0"));
  log.record(tftp(t + 600, kBios, kBiosIp, "pxelinux.0", 0, false));
  auto m = log.machine(kBios);
  EXPECT_EQ(m->stage, Stage::dhcp_ack);
  EXPECT_EQ(m->last_outcome, Outcome::failed);
  EXPECT_EQ(m->last_summary, "TFTP pxelinux.0: not found");
  EXPECT_FALSE(m->completed);

  // The ROM tries again at once: still the same boot.
  log.record(dhcp(t + 10'000, kBios, kBiosIp, M::discover, M::offer, true, false, "pxelinux.0"));
  EXPECT_EQ(log.machine(kBios)->boots, 1u);
  // After a silence longer than the gap: a new boot.
  log.record(dhcp(t + 80'000, kBios, kBiosIp, M::discover, M::offer, true, false, "pxelinux.0"));
  m = log.machine(kBios);
  EXPECT_EQ(m->boots, 2u);
  EXPECT_EQ(m->stage, Stage::dhcp_offer);
  EXPECT_EQ(m->last_outcome, Outcome::ok);
}

TEST(EventLogMachines, FirmwareStartingOverAfterTheLoaderIsANewBoot) {
  EventLog log;
  using M = DhcpMessage;
  log.record(dhcp(0, kUefi, kUefiIp, M::discover, M::offer, true, false, "ipxe.efi"));
  log.record(tftp(100, kUefi, kUefiIp, "ipxe.efi", 1'000'000));
  log.record(dhcp(5000, kUefi, kUefiIp, M::discover, M::offer, true, false, "ipxe.efi"));
  EXPECT_EQ(log.machine(kUefi)->boots, 2u);
}

TEST(EventLogMachines, PlainDhcpClientShowsNoStageAndUnknownMacsAreNotMachines) {
  EventLog log;
  using M = DhcpMessage;
  log.record(dhcp(0, kBios, kBiosIp, M::discover, M::offer, false, false));
  log.record(dhcp(10, kBios, kBiosIp, M::request, M::ack, false, false));
  auto m = log.machine(kBios);
  EXPECT_EQ(m->stage, Stage::other);
  EXPECT_FALSE(m->completed);
  log.record(tftp(20, MacAddress(), kUefiIp, "pxelinux.0", 100));
  EXPECT_EQ(log.machines().size(), 1u);
  EXPECT_EQ(log.size(), 3u);
}

TEST(EventLogMachines, BoundedLeastRecentlySeenGoFirst) {
  EventLog log({.max_machines = 2});
  MacAddress a = *MacAddress::parse("02:00:00:00:00:01");
  MacAddress b = *MacAddress::parse("02:00:00:00:00:02");
  MacAddress c = *MacAddress::parse("02:00:00:00:00:03");
  log.record(simple(1, a));
  log.record(simple(2, b));
  log.record(simple(3, a));
  log.record(simple(4, c));
  auto ms = log.machines();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].mac, a);  // by MAC
  EXPECT_EQ(ms[1].mac, c);
  EXPECT_FALSE(log.machine(b));
}

TEST(EventLogSubscribe, CallsSubscribersUntilUnsubscribed) {
  EventLog log;
  std::vector<std::int64_t> seen_a, seen_b;
  auto a = log.subscribe([&](const Event& e) { seen_a.push_back(e.id); });
  auto b = log.subscribe([&](const Event& e) { seen_b.push_back(e.id); });
  EXPECT_NE(a, b);
  log.record(simple(1));
  log.unsubscribe(a);
  log.record(simple(2));
  log.unsubscribe(b);
  log.unsubscribe(b);  // twice is harmless
  log.record(simple(3));
  EXPECT_EQ(seen_a, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(seen_b, (std::vector<std::int64_t>{1, 2}));
}

TEST(EventLogSubscribe, CalledOutsideTheLockAndThrowingIsContained) {
  EventLog log;
  std::vector<std::size_t> sizes;
  // Reading the log from inside a subscriber would deadlock if it were called under the lock.
  log.subscribe([&](const Event&) { sizes.push_back(log.query({.limit = 0}).size()); });
  log.subscribe([](const Event&) { throw std::runtime_error("broken subscriber"); });
  log.record(simple(1));
  log.record(simple(2));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(log.subscriber_errors(), 2u);
}

TEST(EventLogThreads, ConcurrentRecordersGetUniqueIds) {
  EventLog log({.capacity = 100000});
  std::atomic<int> delivered{0};
  log.subscribe([&](const Event&) { delivered.fetch_add(1); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 1000; ++i) log.record(simple(i, t % 2 ? kUefi : kBios));
    });
  }
  for (auto& th : threads) th.join();
  auto all = log.query({.limit = 0});
  ASSERT_EQ(all.size(), 4000u);
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ids.insert(all[i].id);
    if (i) {
      EXPECT_LT(all[i - 1].id, all[i].id);
    }
  }
  EXPECT_EQ(ids.size(), 4000u);
  EXPECT_EQ(delivered.load(), 4000);
}

TEST(EventLogRestore, KeepsIdsRebuildsMachinesAndContinuesNumbering) {
  EventLog first;
  using M = DhcpMessage;
  first.record(dhcp(0, kBios, kBiosIp, M::discover, M::offer, true, false, "pxelinux.0"));
  first.record(tftp(100, kBios, kBiosIp, "pxelinux.0", 46909));
  first.record(tftp(200, kBios, kBiosIp, "vmlinuz", 8'000'000));
  auto saved = first.query({.limit = 0});

  EventLog second;
  int calls = 0;
  second.subscribe([&](const Event&) { ++calls; });
  second.restore(saved);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(second.query({.limit = 0}), saved);
  EXPECT_EQ(second.machine(kBios)->stage, Stage::kernel);
  EXPECT_EQ(second.record(simple(300)).id, 4);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace pxed::timeline

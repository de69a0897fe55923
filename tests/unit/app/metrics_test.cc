#include "app/metrics.h"

#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace pxed::app {
namespace {

using timeline::DhcpMessage;

const MacAddress kBios = *MacAddress::parse("52:54:00:e2:e0:01");
const MacAddress kUefi = *MacAddress::parse("52:54:00:e2:e0:02");
const MacAddress kThird = *MacAddress::parse("52:54:00:e2:e0:03");
const Ipv4 kBiosIp = *Ipv4::parse("198.18.0.135");
const std::int64_t kT0 = 1'700'000'000'000;  // unix ms

Ipv4 ip(const char* text) {
  return *Ipv4::parse(text);
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

#define EXPECT_LINE(text, line) EXPECT_TRUE(has_line(text, line)) << "no line: " << (line)

config::Subnet subnet() {
  config::Subnet s;
  s.network = {ip("198.18.0.0"), ip("255.255.255.0")};
  s.pools.push_back({ip("198.18.0.100"), ip("198.18.0.149")});
  s.pools.push_back({ip("198.18.0.200"), ip("198.18.0.209")});
  return s;
}

dhcp::Exchange exchange(MacAddress mac, dhcp::MessageType request,
                        std::optional<dhcp::MessageType> reply) {
  dhcp::Exchange ex;
  ex.client.mac = mac;
  ex.client.arch = 0;
  ex.client.firmware = dhcp::FirmwareClass::pxe;
  ex.request = request;
  ex.reply = reply;
  ex.address = kBiosIp;
  return ex;
}

timeline::Event dhcp_ev(std::int64_t at, MacAddress mac, DhcpMessage request,
                        std::optional<DhcpMessage> reply, bool pxe, bool ipxe = false) {
  timeline::DhcpFacts f;
  f.mac = mac;
  f.request = request;
  f.reply = reply;
  f.address = kBiosIp;
  f.pxe = pxe;
  f.ipxe = ipxe;
  return timeline::dhcp_event(kT0 + at, f);
}

tftp::TransferRecord transfer(std::string file, bool ok, std::string outcome,
                              std::uint64_t bytes) {
  tftp::TransferRecord r;
  r.client = kBiosIp;
  r.filename = std::move(file);
  r.ok = ok;
  r.outcome = std::move(outcome);
  r.bytes = bytes;
  return r;
}

timeline::Event tftp_ev(std::int64_t at, MacAddress mac, const tftp::TransferRecord& r) {
  timeline::TransferFacts f;
  f.client = r.client;
  f.mac = mac;
  f.file = r.filename;
  f.bytes = r.bytes;
  f.ok = r.ok;
  if (!r.ok) f.error = r.outcome;
  return timeline::tftp_event(kT0 + at, f);
}

http::RequestRecord request(std::string path, unsigned status, std::uint64_t bytes) {
  http::RequestRecord r;
  r.client = kBiosIp;
  r.method = "GET";
  r.path = std::move(path);
  r.status = status;
  r.bytes_sent = bytes;
  return r;
}

timeline::Event http_ev(std::int64_t at, MacAddress mac, const http::RequestRecord& r) {
  timeline::HttpFacts f;
  f.client = r.client;
  f.mac = mac;
  f.method = r.method;
  f.path = "/" + r.path;
  f.status = static_cast<int>(r.status);
  f.bytes = r.bytes_sent;
  return timeline::http_event(kT0 + at, f);
}

ServerMetricsConfig base_config() {
  ServerMetricsConfig c;
  c.started_ms = kT0;
  c.subnets.push_back(subnet());
  return c;
}

// A BIOS machine: PXE firmware DHCP, pxelinux over TFTP, kernel and initrd over TFTP, then its
// OS's DHCP and the root file system over HTTP. Times in ms from the boot's start.
void bios_boot(ServerMetrics& m, MacAddress mac, std::int64_t start = 0) {
  using dhcp::MessageType;
  m.on_dhcp(exchange(mac, MessageType::discover, MessageType::offer));
  m.on_event(dhcp_ev(start + 0, mac, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_dhcp(exchange(mac, MessageType::request, MessageType::ack));
  m.on_event(dhcp_ev(start + 1000, mac, DhcpMessage::request, DhcpMessage::ack, true));
  auto loader = transfer("pxelinux.0", true, "sent", 46000);
  m.on_tftp(loader);
  m.on_event(tftp_ev(start + 1500, mac, loader));
  auto own_cfg = transfer("pxelinux.cfg/01-52-54-00-e2-e0-01", false, "not found", 0);
  m.on_tftp(own_cfg);
  m.on_event(tftp_ev(start + 1600, mac, own_cfg));  // failed: does not reach boot_config
  auto cfg = transfer("pxelinux.cfg/default", true, "sent", 500);
  m.on_tftp(cfg);
  m.on_event(tftp_ev(start + 1700, mac, cfg));
  auto kernel = transfer("vmlinuz", true, "sent", 8'000'000);
  m.on_tftp(kernel);
  m.on_event(tftp_ev(start + 2500, mac, kernel));
  auto initrd = transfer("initrd.img", true, "sent", 30'000'000);
  m.on_tftp(initrd);
  m.on_event(tftp_ev(start + 6000, mac, initrd));
  m.on_dhcp(exchange(mac, MessageType::discover, MessageType::offer));
  m.on_event(dhcp_ev(start + 20000, mac, DhcpMessage::discover, DhcpMessage::offer, false));
  auto rootfs = request("rootfs.squashfs", 200, 200'000'000);
  m.on_http(rootfs);
  m.on_event(http_ev(start + 25000, mac, rootfs));
}

TEST(ServerMetrics, BiosBootSequence) {
  ServerMetrics m(base_config());
  bios_boot(m, kBios);
  m.on_dhcp(exchange(kUefi, dhcp::MessageType::request, std::nullopt));
  auto missing = request("nothing.img", 404, 120);
  m.on_http(missing);
  const std::string text = m.render(kT0 + 90'500);

  EXPECT_LINE(text, "pxed_dhcp_messages_total{type=\"discover\",reply=\"offer\"} 2");
  EXPECT_LINE(text, "pxed_dhcp_messages_total{type=\"request\",reply=\"ack\"} 1");
  EXPECT_LINE(text, "pxed_dhcp_messages_total{type=\"request\",reply=\"none\"} 1");
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"ok\"} 4");
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"not_found\"} 1");
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"refused\"} 0");
  EXPECT_LINE(text, "pxed_tftp_bytes_total 38046500");
  EXPECT_LINE(text, "pxed_tftp_errors_total 1");
  EXPECT_LINE(text, "pxed_http_requests_total{status=\"200\"} 1");
  EXPECT_LINE(text, "pxed_http_requests_total{status=\"404\"} 1");
  EXPECT_LINE(text, "pxed_http_bytes_total 200000120");
  EXPECT_LINE(text, "pxed_timeline_events_total 9");
  EXPECT_LINE(text, "pxed_boots_started_total 1");
  EXPECT_LINE(text, "pxed_uptime_seconds 90.5");

  // dhcp_ack after 1 s, loader 1.5 s, boot_config 1.7 s (the failed lookup before it does not
  // count), kernel 2.5 s, initrd 6 s, rootfs 25 s.
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"0.5\"} 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"1\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"1\"} 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"2\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"5\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"loader\"} 1.5");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"boot_config\"} 1.7");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"kernel\",le=\"2\"} 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"kernel\",le=\"5\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"initrd\",le=\"5\"} 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"initrd\",le=\"10\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"rootfs\",le=\"20\"} 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"rootfs\",le=\"30\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"rootfs\",le=\"+Inf\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"rootfs\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"rootfs\"} 25");
}

TEST(ServerMetrics, IpxeChainIsOneBootAndEachStageIsTimedOnce) {
  ServerMetrics m(base_config());
  m.on_event(dhcp_ev(0, kUefi, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_event(dhcp_ev(400, kUefi, DhcpMessage::request, DhcpMessage::ack, true));
  m.on_event(tftp_ev(900, kUefi, transfer("ipxe.efi", true, "sent", 1000)));
  // iPXE's own DHCP: the same boot; its ACK is not timed again.
  m.on_event(dhcp_ev(3000, kUefi, DhcpMessage::discover, DhcpMessage::offer, true, true));
  m.on_event(dhcp_ev(3100, kUefi, DhcpMessage::request, DhcpMessage::ack, true, true));
  m.on_event(http_ev(3500, kUefi, request("boot.ipxe", 200, 300)));
  m.on_event(http_ev(4000, kUefi, request("vmlinuz", 200, 300)));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text, "pxed_boots_started_total 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"dhcp_ack\"} 1");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"dhcp_ack\"} 0.4");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"loader\"} 0.9");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"boot_config\"} 3.5");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"kernel\"} 4");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"initrd\"} 0");
}

TEST(ServerMetrics, NewBootAfterKernelOrFirmwareRestartOrGapIsTimedAfresh) {
  ServerMetrics m(base_config());
  bios_boot(m, kBios);                  // reached rootfs
  bios_boot(m, kBios, 60'000);          // a reboot: past the kernel, so a new boot
  // Firmware starting over after the loader, without reaching the kernel.
  m.on_event(dhcp_ev(200'000, kBios, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_event(tftp_ev(200'700, kBios, transfer("pxelinux.0", true, "sent", 1)));
  m.on_event(dhcp_ev(210'000, kBios, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_event(dhcp_ev(210'500, kBios, DhcpMessage::request, DhcpMessage::ack, true));
  // Silence for more than the gap, then a DISCOVER: new boot even before any stage.
  m.on_event(dhcp_ev(500'000, kBios, DhcpMessage::discover, std::nullopt, true));
  m.on_event(dhcp_ev(500'100, kBios, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_event(dhcp_ev(500'250, kBios, DhcpMessage::request, DhcpMessage::ack, true));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text, "pxed_boots_started_total 5");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"rootfs\"} 2");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"loader\"} 3");
  // ACKs: 1 s, 1 s, 0.5 s (the restarted firmware), 0.25 s (the DISCOVER at 500 s was not
  // answered, which fails, but still starts the boot).
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"dhcp_ack\"} 4");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"0.5\"} 2");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_sum{stage=\"dhcp_ack\"} 2.75");
}

TEST(ServerMetrics, MachineSeenMidBootOrWithoutMacIsNotTimed) {
  ServerMetrics m(base_config());
  m.on_event(tftp_ev(100, kBios, transfer("vmlinuz", true, "sent", 1)));
  m.on_event(tftp_ev(100, MacAddress(), transfer("pxelinux.0", true, "sent", 1)));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text, "pxed_timeline_events_total 2");
  EXPECT_LINE(text, "pxed_boots_started_total 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"kernel\"} 0");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"loader\"} 0");
}

TEST(ServerMetrics, FollowsAtMostMaxMachinesDroppingTheLeastRecentlySeen) {
  ServerMetricsConfig c = base_config();
  c.max_machines = 2;
  ServerMetrics m(std::move(c));
  m.on_event(dhcp_ev(0, kBios, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_event(dhcp_ev(10, kUefi, DhcpMessage::discover, DhcpMessage::offer, true));
  m.on_event(dhcp_ev(20, kThird, DhcpMessage::discover, DhcpMessage::offer, true));  // drops kBios
  m.on_event(dhcp_ev(1000, kBios, DhcpMessage::request, DhcpMessage::ack, true));
  m.on_event(dhcp_ev(1010, kUefi, DhcpMessage::request, DhcpMessage::ack, true));
  m.on_event(dhcp_ev(1020, kThird, DhcpMessage::request, DhcpMessage::ack, true));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text, "pxed_boots_started_total 3");
  EXPECT_LINE(text, "pxed_boot_stage_seconds_count{stage=\"dhcp_ack\"} 2");
}

TEST(ServerMetrics, TftpOutcomes) {
  ServerMetrics m(base_config());
  m.on_tftp(transfer("a", false, "refused: access violation", 0));
  m.on_tftp(transfer("b", false, "timed out", 1024));
  m.on_tftp(transfer("c", false, "size probe ended by client after OACK", 0));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"refused\"} 1");
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"failed\"} 1");
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"size_probe\"} 1");
  EXPECT_LINE(text, "pxed_tftp_transfers_total{outcome=\"ok\"} 0");
  EXPECT_LINE(text, "pxed_tftp_errors_total 2");
  EXPECT_LINE(text, "pxed_tftp_bytes_total 1024");
}

TEST(ServerMetrics, LeasesInUsePerPool) {
  ServerMetricsConfig c = base_config();
  const std::int64_t now_s = kT0 / 1000;
  c.leases = [now_s] {
    auto l = [](const char* a, std::int64_t expires) {
      lease::Lease x;
      x.address = *Ipv4::parse(a);
      x.expires_at = expires;
      return x;
    };
    return std::vector<lease::Lease>{
        l("198.18.0.100", now_s + 600), l("198.18.0.101", now_s + 1),
        l("198.18.0.149", now_s + 600), l("198.18.0.102", now_s),  // expired
        l("198.18.0.205", now_s + 60),  l("198.18.0.10", now_s + 60),  // outside the pools
    };
  };
  ServerMetrics m(std::move(c));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text,
              "pxed_dhcp_leases_in_use{subnet=\"198.18.0.0/24\",pool=\"198.18.0.100-198.18.0.149\"} "
              "3");
  EXPECT_LINE(text,
              "pxed_dhcp_leases_in_use{subnet=\"198.18.0.0/24\",pool=\"198.18.0.200-198.18.0.209\"} "
              "1");
  EXPECT_LINE(text,
              "pxed_dhcp_pool_addresses{subnet=\"198.18.0.0/24\",pool=\"198.18.0.100-198.18.0.149\"} "
              "50");
}

TEST(ServerMetrics, FailingLeaseSourceShowsNoLeaseGauges) {
  ServerMetricsConfig c = base_config();
  c.leases = []() -> std::vector<lease::Lease> { throw std::runtime_error("DHCP is busy"); };
  ServerMetrics m(std::move(c));
  const std::string text = m.render(kT0);
  EXPECT_LINE(text, "# TYPE pxed_dhcp_leases_in_use gauge");
  EXPECT_EQ(text.find("pxed_dhcp_leases_in_use{"), std::string::npos);
  EXPECT_NE(text.find("pxed_dhcp_pool_addresses{"), std::string::npos);
}

TEST(ServerMetrics, WholeExpositionOfAFreshServer) {
  ServerMetricsConfig c;
  c.started_ms = kT0;
  config::Subnet s;
  s.network = {ip("198.18.0.0"), ip("255.255.254.0")};
  s.pools.push_back({ip("198.18.1.0"), ip("198.18.1.9")});
  c.subnets.push_back(s);
  c.leases = [] { return std::vector<lease::Lease>{}; };
  c.stage_buckets = {1};
  ServerMetrics m(std::move(c));
  m.on_dhcp(exchange(kBios, dhcp::MessageType::inform, dhcp::MessageType::ack));
  EXPECT_EQ(m.render(kT0 + 2000),
            "# HELP pxed_dhcp_messages_total DHCP requests by message type and the reply sent "
            "(none: no reply).\n"
            "# TYPE pxed_dhcp_messages_total counter\n"
            "pxed_dhcp_messages_total{type=\"inform\",reply=\"ack\"} 1\n"
            "# HELP pxed_tftp_transfers_total TFTP requests by outcome (ok: the whole file moved; "
            "size_probe: a client that only asked for the size).\n"
            "# TYPE pxed_tftp_transfers_total counter\n"
            "pxed_tftp_transfers_total{outcome=\"failed\"} 0\n"
            "pxed_tftp_transfers_total{outcome=\"not_found\"} 0\n"
            "pxed_tftp_transfers_total{outcome=\"ok\"} 0\n"
            "pxed_tftp_transfers_total{outcome=\"refused\"} 0\n"
            "pxed_tftp_transfers_total{outcome=\"size_probe\"} 0\n"
            "# HELP pxed_tftp_bytes_total TFTP payload bytes sent (RRQ) and received (WRQ).\n"
            "# TYPE pxed_tftp_bytes_total counter\n"
            "pxed_tftp_bytes_total 0\n"
            "# HELP pxed_tftp_errors_total TFTP requests that did not move a whole file: not "
            "found, refused or failed.\n"
            "# TYPE pxed_tftp_errors_total counter\n"
            "pxed_tftp_errors_total 0\n"
            "# HELP pxed_http_requests_total HTTP responses by status code.\n"
            "# TYPE pxed_http_requests_total counter\n"
            "# HELP pxed_http_bytes_total HTTP body bytes sent.\n"
            "# TYPE pxed_http_bytes_total counter\n"
            "pxed_http_bytes_total 0\n"
            "# HELP pxed_timeline_events_total Boot timeline events recorded.\n"
            "# TYPE pxed_timeline_events_total counter\n"
            "pxed_timeline_events_total 0\n"
            "# HELP pxed_boots_started_total Network boots seen starting (a boot firmware's DHCP "
            "DISCOVER).\n"
            "# TYPE pxed_boots_started_total counter\n"
            "pxed_boots_started_total 0\n"
            "# HELP pxed_boot_stage_seconds Seconds from the start of a boot to its first event "
            "reaching the stage.\n"
            "# TYPE pxed_boot_stage_seconds histogram\n"
            "pxed_boot_stage_seconds_bucket{stage=\"boot_config\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"boot_config\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"boot_config\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"boot_config\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"dhcp_ack\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"dhcp_ack\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"initrd\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"initrd\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"initrd\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"initrd\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"kernel\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"kernel\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"kernel\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"kernel\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"loader\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"loader\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"rootfs\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"rootfs\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"rootfs\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"rootfs\"} 0\n"
            "# HELP pxed_uptime_seconds Seconds since pxed started.\n"
            "# TYPE pxed_uptime_seconds gauge\n"
            "pxed_uptime_seconds 2\n"
            "# HELP pxed_dhcp_pool_addresses Addresses in each DHCP pool.\n"
            "# TYPE pxed_dhcp_pool_addresses gauge\n"
            "pxed_dhcp_pool_addresses{subnet=\"198.18.0.0/23\",pool=\"198.18.1.0-198.18.1.9\"} 10\n"
            "# HELP pxed_dhcp_leases_in_use Active DHCP leases in each pool.\n"
            "# TYPE pxed_dhcp_leases_in_use gauge\n"
            "pxed_dhcp_leases_in_use{subnet=\"198.18.0.0/23\",pool=\"198.18.1.0-198.18.1.9\"} 0\n");
}

TEST(ServerMetrics, HandlesGetAndHeadOnMetricsOnly) {
  ServerMetrics m(base_config());
  http::Request get;
  get.method = "GET";
  get.target = "/metrics";
  auto plan = m.handle(get, kT0);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->status, 200u);
  ASSERT_NE(plan->header("Content-Type"), nullptr);
  EXPECT_EQ(*plan->header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  ASSERT_NE(plan->header("Content-Length"), nullptr);
  EXPECT_EQ(*plan->header("Content-Length"), std::to_string(plan->body.size()));
  EXPECT_NE(plan->body.find("# TYPE pxed_dhcp_messages_total counter\n"), std::string::npos);
  EXPECT_TRUE(plan->keep_alive);

  http::Request head = get;
  head.method = "HEAD";
  head.target = "/metrics?x=1";
  head.version = 10;
  auto head_plan = m.handle(head, kT0);
  ASSERT_TRUE(head_plan);
  EXPECT_EQ(head_plan->status, 200u);
  EXPECT_TRUE(head_plan->body.empty());
  EXPECT_EQ(*head_plan->header("Content-Length"), std::to_string(plan->body.size()));
  EXPECT_FALSE(head_plan->keep_alive);

  http::Request post = get;
  post.method = "POST";
  auto refused = m.handle(post, kT0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405u);
  ASSERT_NE(refused->header("Allow"), nullptr);

  for (const char* other : {"/metricsx", "/api/v1/status", "/metrics/", "/pxelinux.0"}) {
    http::Request r = get;
    r.target = other;
    EXPECT_FALSE(m.handle(r, kT0)) << other;
  }
}

}  // namespace
}  // namespace pxed::app

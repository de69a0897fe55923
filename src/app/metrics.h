// pxed's Prometheus metrics, served at GET /metrics (text format 0.0.4):
//
//   pxed_dhcp_messages_total{type,reply}      DHCP requests by type and what we answered
//                                             (reply="none": stayed silent)
//   pxed_dhcp_leases_in_use{subnet,pool}      active leases per pool, counted at scrape time
//   pxed_dhcp_pool_addresses{subnet,pool}     the addresses each pool has
//   pxed_tftp_transfers_total{outcome}        ok, not_found, refused, failed, size_probe
//   pxed_tftp_bytes_total                     payload bytes sent (RRQ) and received (WRQ)
//   pxed_tftp_errors_total                    requests that did not move a whole file
//                                             (not found, refused, failed; not size probes)
//   pxed_http_requests_total{status}          responses by status code
//   pxed_http_bytes_total                     body bytes sent
//   pxed_timeline_events_total                boot timeline events recorded
//   pxed_boots_started_total                  boots seen starting (a boot firmware's DISCOVER)
//   pxed_boot_stage_seconds{stage}            seconds from a boot's start to its first event
//                                             reaching dhcp_ack, loader, boot_config, kernel,
//                                             initrd, rootfs (histogram)
//   pxed_uptime_seconds                       since the daemon started
//
// Boots are cut from the timeline's events the way timeline::EventLog cuts them: a booting
// firmware's DISCOVER (stage dhcp_discover or dhcp_offer) starts one for a machine not timed yet,
// after `boot_gap_ms` of silence, once the boot reached the kernel, or when it is not iPXE's and
// the boot already reached the loader. A machine first seen mid-boot is not timed. Failed events
// do not reach a stage. At most `max_machines` machines are followed; the least recently seen
// goes first.
//
// Every method is thread-safe: the DHCP, TFTP and HTTP threads call them at once. Counting is a
// relaxed atomic add (after a shared-lock lookup for label values met before); the scrape asks
// the lease source, which may block (the daemon's waits up to 2 s for the DHCP thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/metrics.h"
#include "dhcp/responder.h"
#include "http/router.h"
#include "http/request_record.h"
#include "lease/lease.h"
#include "tftp/transfer_record.h"
#include "timeline/event.h"

namespace pxed::app {

struct ServerMetricsConfig {
  std::int64_t started_ms = 0;          // unix ms, for pxed_uptime_seconds
  std::vector<config::Subnet> subnets;  // their pools get lease gauges
  // The leases on record (active or not); empty: no lease gauges (ProxyDHCP, no DHCP). May
  // throw: the scrape then shows the pool sizes but no leases in use.
  std::function<std::vector<lease::Lease>()> leases;
  std::size_t max_machines = 4096;
  std::int64_t boot_gap_ms = 120'000;
  std::vector<double> stage_buckets = {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300};
};

class ServerMetrics {
 public:
  explicit ServerMetrics(ServerMetricsConfig config);
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  void on_dhcp(const dhcp::Exchange& exchange);
  void on_tftp(const tftp::TransferRecord& record);
  void on_http(const http::RequestRecord& record);
  void on_event(const timeline::Event& event);

  // GET or HEAD /metrics (a query string is ignored): the exposition; another method: 405.
  // nullopt for any other target.
  std::optional<http::ResponsePlan> handle(const http::Request& request, std::int64_t now_ms);

  // The exposition text at `now_ms` (what GET /metrics answers).
  std::string render(std::int64_t now_ms) const;

 private:
  struct Pool {
    std::string subnet;  // "198.18.0.0/24"
    std::string range;   // "198.18.0.100-198.18.0.199"
    config::AddressRange addresses;
  };
  struct Boot {
    std::int64_t started_ms = 0;
    std::int64_t last_seen_ms = 0;
    int furthest = -1;          // rank of the furthest stage reached; -1: none
    std::uint32_t timed = 0;    // bit per stage already observed
  };

  void render_pools(std::string& out, std::int64_t now_ms) const;

  ServerMetricsConfig config_;
  std::vector<Pool> pools_;
  MetricsRegistry registry_;
  CounterFamily& dhcp_messages_;
  CounterFamily& tftp_transfers_;
  Counter& tftp_bytes_;
  Counter& tftp_errors_;
  CounterFamily& http_requests_;
  Counter& http_bytes_;
  Counter& timeline_events_;
  Counter& boots_started_;
  HistogramFamily& stage_seconds_;

  std::mutex boots_mutex_;
  std::map<MacAddress, Boot> boots_;
};

}  // namespace pxed::app

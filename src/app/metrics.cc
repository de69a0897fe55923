#include "app/metrics.h"

#include <algorithm>
#include <bit>
#include <cctype>

#include "dhcp/packet.h"

namespace pxed::app {

namespace {

constexpr std::string_view kTarget = "/metrics";
constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// The stages whose first arrival in a boot is timed.
constexpr timeline::Stage kTimedStages[] = {
    timeline::Stage::dhcp_ack, timeline::Stage::loader, timeline::Stage::boot_config,
    timeline::Stage::kernel,   timeline::Stage::initrd, timeline::Stage::rootfs,
};

// The order a boot goes through its stages; -1 for `other`, which is no progress.
int rank(timeline::Stage s) {
  return s == timeline::Stage::other ? -1 : static_cast<int>(s);
}

bool is_boot_start(const timeline::Event& e) {
  return e.protocol == timeline::Protocol::dhcp &&
         (e.stage == timeline::Stage::dhcp_discover || e.stage == timeline::Stage::dhcp_offer);
}

bool from_ipxe(const timeline::Event& e) {
  auto it = e.details.find("client");
  return it != e.details.end() && it->second == "ipxe";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "ok", "not_found", "refused", "failed" or "size_probe" (edk2 asks for the size, then stops).
std::string_view tftp_outcome(const tftp::TransferRecord& r) {
  if (r.ok) return "ok";
  if (r.outcome.starts_with("size probe")) return "size_probe";
  if (r.outcome == "not found") return "not_found";
  if (r.outcome.starts_with("refused")) return "refused";
  return "failed";
}

std::string subnet_label(const Ipv4Network& n) {
  return n.network().to_string() + "/" + std::to_string(std::popcount(n.netmask.value()));
}

http::ResponsePlan text_plan(unsigned status, std::string body, const http::Request& request) {
  http::ResponsePlan plan;
  plan.status = status;
  plan.headers.push_back({"Content-Type", std::string(kContentType)});
  plan.headers.push_back({"Content-Length", std::to_string(body.size())});
  plan.headers.push_back({"Cache-Control", "no-store"});
  if (status == 405) plan.headers.push_back({"Allow", "GET, HEAD"});
  // HEAD: the head keeps the GET's Content-Length, the body goes.
  if (request.method != "HEAD") plan.body = std::move(body);
  plan.keep_alive = http::wants_keep_alive(request.version, request.connection);
  return plan;
}

}  // namespace

ServerMetrics::ServerMetrics(ServerMetricsConfig config)
    : config_(std::move(config)),
      dhcp_messages_(registry_.counter_family(
          "pxed_dhcp_messages_total",
          "DHCP requests by message type and the reply sent (none: no reply).",
          {"type", "reply"})),
      tftp_transfers_(registry_.counter_family(
          "pxed_tftp_transfers_total",
          "TFTP requests by outcome (ok: the whole file moved; size_probe: a client that only "
          "asked for the size).",
          {"outcome"})),
      tftp_bytes_(registry_.counter("pxed_tftp_bytes_total",
                                    "TFTP payload bytes sent (RRQ) and received (WRQ).")),
      tftp_errors_(registry_.counter(
          "pxed_tftp_errors_total",
          "TFTP requests that did not move a whole file: not found, refused or failed.")),
      http_requests_(registry_.counter_family("pxed_http_requests_total",
                                              "HTTP responses by status code.", {"status"})),
      http_bytes_(registry_.counter("pxed_http_bytes_total", "HTTP body bytes sent.")),
      timeline_events_(registry_.counter("pxed_timeline_events_total",
                                         "Boot timeline events recorded.")),
      boots_started_(registry_.counter("pxed_boots_started_total",
                                       "Network boots seen starting (a boot firmware's DHCP "
                                       "DISCOVER).")),
      stage_seconds_(registry_.histogram_family(
          "pxed_boot_stage_seconds",
          "Seconds from the start of a boot to its first event reaching the stage.", {"stage"},
          config_.stage_buckets)) {
  for (std::string_view outcome : {"ok", "not_found", "refused", "failed", "size_probe"}) {
    tftp_transfers_.with({std::string(outcome)});
  }
  for (timeline::Stage s : kTimedStages) stage_seconds_.with({std::string(timeline::to_string(s))});
  for (const config::Subnet& s : config_.subnets) {
    for (const config::AddressRange& r : s.pools) {
      pools_.push_back({subnet_label(s.network), r.start.to_string() + "-" + r.end.to_string(), r});
    }
  }
}

void ServerMetrics::on_dhcp(const dhcp::Exchange& ex) {
  dhcp_messages_
      .with({lower(dhcp::to_string(ex.request)), ex.reply ? lower(dhcp::to_string(*ex.reply)) : "none"})
      .inc();
}

void ServerMetrics::on_tftp(const tftp::TransferRecord& r) {
  const std::string_view outcome = tftp_outcome(r);
  tftp_transfers_.with({std::string(outcome)}).inc();
  tftp_bytes_.inc(r.bytes);
  if (outcome != "ok" && outcome != "size_probe") tftp_errors_.inc();
}

void ServerMetrics::on_http(const http::RequestRecord& r) {
  http_requests_.with({std::to_string(r.status)}).inc();
  http_bytes_.inc(r.bytes_sent);
}

void ServerMetrics::on_event(const timeline::Event& e) {
  timeline_events_.inc();
  if (e.mac == MacAddress()) return;
  std::optional<std::pair<timeline::Stage, double>> observe;
  {
    std::lock_guard lock(boots_mutex_);
    auto it = boots_.find(e.mac);
    if (is_boot_start(e)) {
      bool fresh = it == boots_.end();
      if (!fresh) {
        const Boot& b = it->second;
        fresh = e.at_ms - b.last_seen_ms > config_.boot_gap_ms ||
                b.furthest >= rank(timeline::Stage::kernel) ||
                (!from_ipxe(e) && b.furthest >= rank(timeline::Stage::loader));
      }
      if (fresh) {
        if (it == boots_.end() && config_.max_machines > 0 &&
            boots_.size() >= config_.max_machines) {
          boots_.erase(std::min_element(boots_.begin(), boots_.end(), [](auto& a, auto& b) {
            return a.second.last_seen_ms < b.second.last_seen_ms;
          }));
        }
        Boot b;
        b.started_ms = b.last_seen_ms = e.at_ms;
        it = boots_.insert_or_assign(e.mac, b).first;
        boots_started_.inc();
      }
    }
    if (it == boots_.end()) return;  // not seen starting: not timed
    Boot& b = it->second;
    b.last_seen_ms = std::max(b.last_seen_ms, e.at_ms);
    if (e.outcome == timeline::Outcome::failed || rank(e.stage) < 0) return;
    // The booted OS's own DHCP counts once the kernel is reached, as in the event log.
    if (e.stage != timeline::Stage::os_dhcp || b.furthest >= rank(timeline::Stage::kernel)) {
      b.furthest = std::max(b.furthest, rank(e.stage));
    }
    const bool timed_stage =
        std::find(std::begin(kTimedStages), std::end(kTimedStages), e.stage) !=
        std::end(kTimedStages);
    const std::uint32_t bit = 1u << rank(e.stage);
    if (!timed_stage || (b.timed & bit) != 0) return;
    b.timed |= bit;
    observe.emplace(e.stage, static_cast<double>(std::max<std::int64_t>(
                                 0, e.at_ms - b.started_ms)) / 1000.0);
  }
  stage_seconds_.with({std::string(timeline::to_string(observe->first))}).observe(observe->second);
}

void ServerMetrics::render_pools(std::string& out, std::int64_t now_ms) const {
  // Asked for at every scrape, so a fresh registry: a scrape whose lease source fails shows no
  // stale numbers.
  MetricsRegistry scrape;
  scrape.gauge("pxed_uptime_seconds", "Seconds since pxed started.")
      .set(static_cast<double>(now_ms - config_.started_ms) / 1000.0);
  auto& sizes = scrape.gauge_family("pxed_dhcp_pool_addresses",
                                    "Addresses in each DHCP pool.", {"subnet", "pool"});
  auto& in_use = scrape.gauge_family("pxed_dhcp_leases_in_use",
                                     "Active DHCP leases in each pool.", {"subnet", "pool"});
  for (const Pool& p : pools_) {
    sizes.with({p.subnet, p.range}).set(static_cast<double>(p.addresses.size()));
  }
  std::optional<std::vector<lease::Lease>> leases;
  if (config_.leases) {
    try {
      leases = config_.leases();
    } catch (const std::exception&) {
      // No lease gauges this time; the next scrape asks again.
    }
  }
  if (leases) {
    std::vector<std::size_t> counts(pools_.size(), 0);
    for (const lease::Lease& l : *leases) {
      if (!l.active(now_ms / 1000)) continue;
      for (std::size_t i = 0; i < pools_.size(); ++i) {
        if (pools_[i].addresses.contains(l.address)) ++counts[i];
      }
    }
    for (std::size_t i = 0; i < pools_.size(); ++i) {
      in_use.with({pools_[i].subnet, pools_[i].range}).set(static_cast<double>(counts[i]));
    }
  }
  out += render_prometheus(scrape);
}

std::string ServerMetrics::render(std::int64_t now_ms) const {
  std::string out = render_prometheus(registry_);
  render_pools(out, now_ms);
  return out;
}

std::optional<http::ResponsePlan> ServerMetrics::handle(const http::Request& request,
                                                        std::int64_t now_ms) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != kTarget) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    return text_plan(405, "method " + request.method + " is not allowed here\n", request);
  }
  return text_plan(200, render(now_ms), request);
}

}  // namespace pxed::app

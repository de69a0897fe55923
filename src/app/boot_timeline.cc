#include "app/boot_timeline.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/log_limiter.h"

namespace pxed::app {

namespace {

timeline::EventLogConfig log_config(const TimelineLimits& limits) {
  timeline::EventLogConfig c;
  c.capacity = limits.in_memory;
  return c;
}

}  // namespace

BootTimeline::BootTimeline(const std::string& db_path, const boot::Sightings& sightings,
                           TimelineLimits limits)
    : sightings_(sightings), limits_(limits), log_(log_config(limits)) {
  db_ = std::make_unique<timeline::SqliteEvents>(db_path);
  if (auto recent = db_->load_recent(limits_.in_memory)) {
    log_.restore(*recent);
    restored_ = recent->size();
  } else {
    spdlog::warn("timeline: cannot load the recent events from {}: {}", db_path,
                 recent.error().message);
  }
  auto limiter = std::make_shared<LogLimiter>(std::chrono::seconds(60));
  writer_ = std::make_unique<timeline::EventWriter>(
      *db_, limits_.in_memory, 1000, [limiter, db_path](const std::string& error) {
        if (limiter->allow("write", LogLimiter::Clock::now())) {
          spdlog::warn("timeline: cannot store events in {}: {} (they stay in memory)", db_path,
                       error);
        }
      });
  subscription_ = log_.subscribe([this](const timeline::Event& e) {
    if (!writer_->enqueue(e)) {
      // Counted by the writer; the event stays in memory.
    }
  });
}

BootTimeline::~BootTimeline() {
  log_.unsubscribe(subscription_);
  writer_.reset();  // writes what is queued
}

MacAddress BootTimeline::mac_of(Ipv4 ip) const {
  if (auto s = sightings_.by_ip(ip)) return s->mac;
  return MacAddress();
}

void BootTimeline::dhcp(const dhcp::Exchange& ex, bool proxy) {
  const bool pxe = ex.client.firmware != dhcp::FirmwareClass::other || ex.client.arch.has_value();
  // Silence towards a machine that is not booting is not part of anyone's boot.
  if (!ex.reply && !pxe && !ex.client.ipxe) return;
  timeline::DhcpFacts f;
  f.mac = ex.client.mac;
  f.request = static_cast<timeline::DhcpMessage>(ex.request);
  if (ex.reply) f.reply = static_cast<timeline::DhcpMessage>(*ex.reply);
  f.address = ex.address;
  f.boot_file = ex.boot_file;
  f.profile = ex.profile;
  f.arch = ex.client.arch;
  f.pxe = pxe;
  f.ipxe = ex.client.ipxe;
  f.proxy = proxy;
  f.relay = ex.relay;
  f.note = ex.note;
  log_.record(timeline::dhcp_event(unix_now_ms(), f));
}

void BootTimeline::tftp(const tftp::TransferRecord& r) {
  // edk2 asks for a file's size first and ends that transfer after the option answer: a probe,
  // not a step of the boot (the real transfer follows).
  if (r.outcome.starts_with("size probe")) return;
  timeline::TransferFacts f;
  f.client = r.client;
  f.mac = mac_of(r.client);
  f.file = r.filename;
  f.bytes = r.bytes;
  f.seconds = r.seconds;
  f.blksize = r.blksize;
  f.windowsize = r.windowsize;
  f.ok = r.ok;
  if (!r.ok) f.error = r.outcome;
  log_.record(timeline::tftp_event(unix_now_ms(), f));
}

void BootTimeline::http(const http::RequestRecord& r) {
  // The API, the dashboard and the metrics are the admin's, not a machine's boot.
  for (std::string_view admin : {"api/", "ui/", "ui", "metrics"}) {
    std::string_view path = r.path;
    if (path.starts_with('/')) path.remove_prefix(1);
    path = path.substr(0, path.find('?'));
    if (admin.ends_with('/') ? path.starts_with(admin) : path == admin) return;
  }
  timeline::HttpFacts f;
  f.client = r.client;
  f.mac = mac_of(r.client);
  f.method = r.method;
  f.path = r.path.starts_with('/') ? r.path : "/" + r.path;
  f.status = static_cast<int>(r.status);
  if (r.status == 206 && r.content_range.starts_with("bytes ")) {
    std::string range = r.content_range.substr(6);
    f.range = range.substr(0, range.find('/'));
  }
  f.bytes = r.bytes_sent;
  f.seconds = r.seconds;
  f.error = r.error;
  log_.record(timeline::http_event(unix_now_ms(), f));
}

void BootTimeline::prune() {
  writer_->prune(unix_now_ms(), limits_.keep_ms, limits_.keep_rows);
}

}  // namespace pxed::app

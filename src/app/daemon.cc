#include "app/daemon.h"

#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/clock.h"
#include "api/event_stream.h"
#include "api/rest_api.h"
#include "api/ui_files.h"
#include "app/boot_timeline.h"
#include "app/metrics.h"
#include "app/flags_config.h"
#include "boot/boot_files.h"
#include "boot/policy.h"
#include "boot/arch_table.h"
#include "boot/sightings.h"
#include "config/config.h"
#include "config/loader.h"
#include "config/validate.h"
#include "core/file_root.h"
#include "dhcp/proxy.h"
#include "dhcp/responder.h"
#include "dhcp/server.h"
#include "http/server.h"
#include "lease/group_commit.h"
#include "lease/sqlite_hosts.h"
#include "lease/sqlite_store.h"
#include "net/interface.h"
#include "net/ra_responder.h"
#include "app/explain_tftp.h"
#include "files/name_space.h"
#include "files/upload_dir.h"
#include "http/etag.h"
#include "tftp/negotiation.h"
#include "tftp/server.h"

namespace pxed::app {

namespace asio = boost::asio;

namespace {

class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
T or_startup_error(Result<T> r) {
  if (!r) throw StartupError(r.error().message);
  return std::move(*r);
}

void setup_logging() {
  auto logger = spdlog::stderr_logger_mt("pxed");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

// One service: its own event loop on its own thread, sharing nothing with the others.
struct Loop {
  asio::io_context io{1};
  std::thread thread;

  // A loop whose service was off (nothing to stop) still has a thread to join.
  ~Loop() {
    if (thread.joinable()) {
      io.stop();
      thread.join();
    }
  }

  void run() {
    thread = std::thread([this] {
      try {
        io.run();
      } catch (const std::exception& e) {
        spdlog::critical("pxed: event loop failed: {}", e.what());
      }
    });
  }
  template <class Stop>
  void stop(Stop&& stop_service) {
    asio::post(io, [this, stop_service] {
      stop_service();
      io.stop();
    });
    if (thread.joinable()) thread.join();
  }
};

void print_errors(const config::ConfigErrors& errors) {
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
}

config::ConfigErrors one_error(std::string message) {
  return config::ConfigErrors{
      config::ConfigError{config::SourcePos{}, "pxed: " + std::move(message)}};
}

// The config to run: the file with the flags given on top of it, or the flags alone; validated.
tl::expected<config::Config, config::ConfigErrors> build_config(const ServeOptions& o) {
  if (!o.config_file.empty()) {
    auto parsed = config::parse_config_file(o.config_file);
    if (!parsed) {
      // Report exactly what `pxed check` reports: the reading errors and the rule violations.
      auto checked = config::load_config_file(o.config_file);
      return tl::unexpected(checked ? parsed.error() : checked.error());
    }
    if (auto applied = apply_flag_overrides(o, parsed->config, parsed->sources); !applied) {
      return tl::unexpected(one_error(applied.error().message));
    }
    auto errors = config::validate(parsed->config, &parsed->sources);
    if (!errors.empty()) {
      config::sort_errors(errors);
      return tl::unexpected(std::move(errors));
    }
    return std::move(parsed->config);
  }
  for (const char* flag : {"--interface", "--root", "--dhcp-range"}) {
    if (!o.given.contains(flag) && !(o.proxy && std::string_view(flag) == "--dhcp-range")) {
      return tl::unexpected(one_error(fmt::format("{} is required (or --config FILE)", flag)));
    }
  }
  auto iface = net::find_interface(o.interface);
  if (!iface) return tl::unexpected(one_error(iface.error().message));
  auto cfg = config_from_flags(o, *iface);
  if (!cfg) return tl::unexpected(one_error(cfg.error().message));
  auto errors = config::validate(*cfg);
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return std::move(*cfg);
}

// The TFTP rewrite rules of a validated config.
tftp::Remapper remapper(const config::TftpConfig& t) {
  auto compiled = tftp_remapper(t);
  if (!compiled) throw StartupError("tftp.remap: " + compiled.error().message);
  return std::move(*compiled);
}

// Every TFTP transfer and HTTP connection holds a descriptor: raise the soft limit to the hard
// one (the usual soft limit, 1024, would cap a boot storm at about a thousand transfers).
void raise_descriptor_limit(const config::Config& cfg) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  const rlim_t wanted = cfg.tftp.max_transfers + cfg.http.max_connections + 256;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted) {
    spdlog::warn(
        "pxed: only {} file descriptors allowed (RLIMIT_NOFILE); tftp.max-transfers and "
        "http.max-connections want about {}",
        lim.rlim_cur, wanted);
  }
}

// The name space of the api.listen server: it serves no files, so anything its handler does not
// answer is 404.
class NoFiles final : public files::NameSpace {
 public:
  Result<files::Content> open(std::string_view path, const files::Requester&) override {
    return fail(Errc::not_found, fmt::format("{}: the API server serves no files", path));
  }
};

// Runs the services a validated config describes until SIGINT or SIGTERM.
int run_services(const config::Config& cfg, const std::string& config_digest,
                 const sigset_t& stop_signals) {
  const std::int64_t started_ms = unix_now_ms();
  std::vector<net::InterfaceInfo> interfaces;
  for (const std::string& name : cfg.interfaces) {
    interfaces.push_back(or_startup_error(net::find_interface(name)));
  }
  const net::InterfaceInfo& primary = interfaces.front();
  const Ipv4 server_ip = primary.ipv4.address;

  std::unique_ptr<FileRoot> root;
  try {
    root = std::make_unique<FileRoot>(cfg.root);
  } catch (const std::runtime_error& e) {
    throw StartupError(e.what());
  }
  // The built-in first-stage loaders of BIOS and x64 UEFI that the root lacks: a machine would
  // be handed a file name that TFTP then cannot find. Said at start, while it is cheap to fix.
  if (cfg.dhcp.enabled) {
    for (std::uint16_t code : {std::uint16_t{0}, std::uint16_t{7}}) {
      const boot::ArchInfo* arch = boot::find_arch(code);
      if (arch == nullptr || cfg.boot.boot_files.count(code) != 0) continue;
      const std::string file(arch->default_loader());
      std::error_code ec;
      if (file.empty() || std::filesystem::exists(std::filesystem::path(cfg.root) / file, ec)) {
        continue;
      }
      spdlog::warn("boot: {} machines are handed {} by default, but {} has none (copy it in, or "
                   "name another with --boot-file {}=FILE or [boot.files])",
                   arch->description, file, cfg.root, arch->keyword);
    }
  }
  // TFTP and HTTP both read through this one name space (files below the root, and generated
  // files in front of them), TFTP and HTTP each from their several loops' threads.
  auto disk_names = std::make_unique<files::FileNameSpace>(*root);
  auto names = std::make_unique<files::GeneratedFiles>(*disk_names);
  std::unique_ptr<files::UploadDir> uploads;
  if (cfg.tftp.enabled && !cfg.tftp.upload_dir.empty()) {
    try {
      uploads = std::make_unique<files::UploadDir>(cfg.tftp.upload_dir);
    } catch (const std::runtime_error& e) {
      throw StartupError(e.what());
    }
  }
  std::filesystem::path db(cfg.dhcp.lease_db);
  if (db.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(db.parent_path(), ec);
  }
  std::unique_ptr<lease::SqliteStore> durable;
  try {
    durable = std::make_unique<lease::SqliteStore>(cfg.dhcp.lease_db);
  } catch (const std::runtime_error& e) {
    throw StartupError(e.what());
  }
  // Leases are written by a group-commit thread; ACKs wait for their batch to be durable.
  std::atomic<dhcp::Server*> durable_listener{nullptr};
  auto writer = std::make_unique<lease::GroupCommitWriter>(
      *durable, [&](std::uint64_t ticket, bool ok, const std::string& error) {
        if (dhcp::Server* s = durable_listener.load()) s->on_durable(ticket, ok, error);
      });
  lease::GroupCommitStore leases(*durable, *writer);

  setup_logging();
  std::signal(SIGPIPE, SIG_IGN);
  raise_descriptor_limit(cfg);

  // Hosts set with `pxed hosts` live beside the leases.
  std::unique_ptr<lease::SqliteHosts> hosts;
  try {
    hosts = std::make_unique<lease::SqliteHosts>(cfg.dhcp.lease_db);
  } catch (const std::runtime_error& e) {
    throw StartupError(e.what());
  }
  boot::PolicyConfig pc;
  pc.boot_files = cfg.boot.boot_files;
  pc.ipxe_boot_file = cfg.boot.ipxe_boot_file;
  pc.server = server_ip;
  pc.http_port = cfg.http.port;
  pc.profiles = cfg.boot.profiles;
  pc.rules = cfg.boot.rules;
  pc.default_profile = cfg.boot.default_profile;
  boot::Policy policy(std::move(pc), hosts.get());
  dhcp::Responder responder(cfg.dhcp, policy, leases);
  dhcp::ProxyResponder proxy(policy);  // dhcp.mode = "proxy": never touches the leases
  // What DHCP learnt of each machine tells the boot files who is asking for them.
  boot::Sightings sightings;
  // The leases still running tell who holds which address, so that a machine that got its
  // address before a restart is still known by it to TFTP, HTTP and the timeline.
  {
    const std::int64_t now = unix_now();
    for (const lease::Lease& l : leases.all()) {
      if (!l.active(now) || l.mac == MacAddress()) continue;
      boot::Sighting s;
      s.mac = l.mac;
      s.ip = l.address;
      s.hostname = l.hostname;
      s.at = now;
      sightings.record(s);
    }
  }
  boot::BootFiles boot_files(policy, sightings);
  // Every DHCP, TFTP and HTTP step of every machine, for the API and the dashboard.
  std::unique_ptr<BootTimeline> timeline;
  try {
    timeline = std::make_unique<BootTimeline>(cfg.dhcp.lease_db, sightings);
  } catch (const std::runtime_error& e) {
    throw StartupError(e.what());
  }
  if (policy.has_profiles()) {
    names->add_resolver([&boot_files](std::string_view path, const files::Requester& who)
                            -> std::optional<Bytes> {
      std::string mark_error;
      auto r = boot_files.serve(path, who.client, unix_now(), &mark_error);
      if (!r) return std::nullopt;
      std::string machine = r->mac ? r->mac->to_string() : who.client.to_string();
      if (r->local_boot) {
        spdlog::info("boot: {} {} {}: boot once is used up; sent to its local disk", machine,
                     who.protocol, path);
      } else if (r->first_netboot) {
        spdlog::info("boot: {} {} {}: boot once: this is its network boot{}", machine,
                     who.protocol, path,
                     mark_error.empty() ? "" : "; could not record it: " + mark_error);
      } else {
        spdlog::info("boot: {} {} {}: profile {} ({})", machine, who.protocol, path,
                     r->profile.empty() ? "none" : r->profile, r->why);
      }
      return Bytes(r->text.begin(), r->text.end());
    });
  }

  Loop dhcp_loop, tftp_loop, http_loop;
  // The leases belong to the DHCP thread: asked there, answered within 2 s or not at all.
  std::function<std::vector<lease::Lease>()> list_leases;
  if (cfg.dhcp.enabled && !cfg.dhcp.proxy) {
    list_leases = [&dhcp_loop, &leases]() {
      auto answer = std::make_shared<std::promise<std::vector<lease::Lease>>>();
      auto future = answer->get_future();
      asio::post(dhcp_loop.io, [answer, &leases] { answer->set_value(leases.all()); });
      if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
        throw std::runtime_error("the DHCP service did not list its leases within 2 s");
      }
      return future.get();
    };
  }
  // Prometheus metrics (GET /metrics), fed by the same observers as the timeline. Shared: the
  // timeline's subscriber holds it too.
  ServerMetricsConfig metrics_config;
  metrics_config.started_ms = started_ms;
  if (!cfg.dhcp.proxy) metrics_config.subnets = cfg.dhcp.subnets;
  metrics_config.leases = list_leases;
  auto metrics = std::make_shared<ServerMetrics>(std::move(metrics_config));
  timeline->log().subscribe([metrics](const timeline::Event& e) { metrics->on_event(e); });
  // Live server-sent event streams of the timeline; each ends when the HTTP servers stop.
  auto streams = std::make_shared<api::EventStreams>(timeline->log());
  std::unique_ptr<dhcp::Server> dhcp_server;
  std::unique_ptr<tftp::Server> tftp_server;
  std::unique_ptr<http::Server> http_server;
  // api.listen: the management endpoints on a server of their own, which serves no files.
  Loop api_loop;
  NoFiles no_files;
  std::unique_ptr<http::Server> api_server;
  try {
    if (cfg.dhcp.enabled) {
      std::vector<net::InterfaceInfo> dhcp_interfaces;
      for (const auto& i : interfaces) {
        bool used =
            std::any_of(cfg.dhcp.subnets.begin(), cfg.dhcp.subnets.end(), [&](const auto& s) {
              return std::find(s.interfaces.begin(), s.interfaces.end(), i.name) !=
                     s.interfaces.end();
            });
        if (used || cfg.dhcp.proxy) dhcp_interfaces.push_back(i);
      }
      if (dhcp_interfaces.empty()) dhcp_interfaces.push_back(primary);  // relayed subnets only
      dhcp::ServerConfig dc;
      dc.interfaces = dhcp_interfaces;
      dc.conflict_detection = cfg.dhcp.conflict_detection;
      dhcp_server = cfg.dhcp.proxy
                        ? std::make_unique<dhcp::Server>(dhcp_loop.io, std::move(dc), proxy)
                        : std::make_unique<dhcp::Server>(dhcp_loop.io, std::move(dc), responder);
    }
    if (cfg.tftp.enabled) {
      tftp::ServerConfig tc;
      tc.address = server_ip;
      tc.port = cfg.tftp.port;
      // No DATA block larger than the link carries in one packet: fragments get lost.
      tc.max_blksize = std::min(cfg.tftp.max_blksize, tftp::blksize_for_mtu(primary.mtu));
      tc.max_windowsize = cfg.tftp.max_windowsize;
      tc.max_transfers = cfg.tftp.max_transfers;
      tc.max_transfers_per_client = cfg.tftp.max_transfers_per_client;
      tc.port_range = cfg.tftp.port_range;
      tc.remap = remapper(cfg.tftp);
      tc.uploads = uploads.get();
      tc.max_upload_size = cfg.tftp.max_upload_size;
      tc.observer = [&timeline, metrics](const tftp::TransferRecord& r) {
        timeline->tftp(r);
        metrics->on_tftp(r);
      };
      tc.threads = cfg.tftp.threads != 0
                       ? cfg.tftp.threads
                       : std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
      tftp_server = std::make_unique<tftp::Server>(tftp_loop.io, tc, *names);
    }
    // The management endpoints: the dashboard, the metrics and the REST API. On the boot
    // HTTP port, or on api.listen's server when there is one.
    http::Handler management;
    std::shared_ptr<const api::UiFiles> ui;
    if (cfg.http.enabled || cfg.api.listen) {
      api::Sources sources;
      sources.events = &timeline->log();
      sources.leases = list_leases;
      sources.hosts = [&hosts] { return hosts->all(); };
      sources.find_host = [&hosts](const MacAddress& mac) { return hosts->find(mac); };
      sources.put_host = [&hosts](const boot::HostRecord& h) { return hosts->put(h); };
      sources.remove_host = [&hosts](const MacAddress& mac) { return hosts->remove(mac); };
      sources.token = cfg.api.token;
      sources.profiles = cfg.boot.profiles;
      sources.version = "0.1.0";
      sources.config_digest = config_digest;
      sources.started_ms = started_ms;
      sources.event_stream = [streams](const api::StreamRequest& what,
                                       const http::Request& request) {
        return streams->open(what, request);
      };
      // The dashboard's files (web/), read once now.
      const std::string ui_dir = api::UiFiles::find_default_dir();
      ui = std::make_shared<const api::UiFiles>(api::UiFiles::load(ui_dir));
      management = [sources = std::move(sources), ui, metrics](
                       const http::Request& request, Ipv4) -> std::optional<http::ResponsePlan> {
        const std::int64_t now_ms = unix_now_ms();
        if (auto page = ui->handle(request)) return page;
        if (auto plan = metrics->handle(request, now_ms)) return plan;
        return api::handle(sources, request, now_ms);
      };
    }
    if (cfg.http.enabled) {
      http::ServerConfig hc;
      hc.address = server_ip;
      hc.port = cfg.http.port;
      hc.max_connections = cfg.http.max_connections;
      hc.max_requests_per_connection = cfg.http.max_requests_per_connection;
      hc.idle_timeout = std::chrono::seconds(cfg.http.idle_timeout);
      hc.header_timeout = std::chrono::seconds(cfg.http.header_timeout);
      hc.threads = cfg.http.threads;  // 0: the server picks
      // With api.listen, /api/, /ui/ and /metrics are files here: 404 unless the root has them.
      if (!cfg.api.listen) hc.handler = management;
      http_server = std::make_unique<http::Server>(http_loop.io, hc, *names);
    }
    if (cfg.api.listen) {
      http::ServerConfig ac;
      ac.address = cfg.api.listen->address;
      ac.port = cfg.api.listen->port;
      ac.max_connections = 64;
      ac.idle_timeout = std::chrono::seconds(cfg.http.idle_timeout);
      ac.header_timeout = std::chrono::seconds(cfg.http.header_timeout);
      ac.threads = 1;
      ac.handler = management;
      try {
        api_server = std::make_unique<http::Server>(api_loop.io, ac, no_files);
      } catch (const std::system_error& e) {
        throw StartupError(fmt::format("api.listen: {}", e.what()));
      }
      spdlog::info("api: REST API, dashboard and metrics on {}:{} only (not on the HTTP port)",
                   ac.address.to_string(), api_server->port());
    }
    if (ui) {
      // Said only once the ports are ours, so a start-up failure stays a single line.
      if (ui->size() == 0) {
        spdlog::warn("http: no dashboard files found (web/ beside the executable, or "
                     "/usr/share/pxed/web); /ui/ answers 404");
      } else {
        spdlog::info("http: dashboard at /ui/ ({} files from {})", ui->size(), ui->dir());
      }
    }
  } catch (const std::system_error& e) {
    throw StartupError(e.what());
  }

  // IPv6 router advertisements: their own small loop; never a start-up error. In pxe-clients
  // mode they need the DHCP service, which tells them who is booting.
  Loop ra_loop;
  std::unique_ptr<net::RaResponder> ra;
  const net::RaMode ra_mode = cfg.dhcp.ipv6_router_advertisement;
  if (ra_mode == net::RaMode::all || (ra_mode == net::RaMode::pxe_clients && cfg.dhcp.enabled)) {
    net::RaGateConfig gate;
    gate.mode = ra_mode;
    ra = std::make_unique<net::RaResponder>(ra_loop.io, interfaces, gate);
    ra->start();
    ra_loop.run();
  }

  if (dhcp_server) {
    dhcp_server->set_observer([&sightings, &ra, &timeline, metrics, proxy = cfg.dhcp.proxy](
                                  const dhcp::Exchange& ex) {
      metrics->on_dhcp(ex);
      timeline->dhcp(ex, proxy);
      if (!ex.reply || *ex.reply == dhcp::MessageType::nak) return;
      const bool pxe_client = ex.client.arch || ex.client.ipxe ||
                              ex.client.firmware != dhcp::FirmwareClass::other;
      if (ra && pxe_client) ra->pxe_client(ex.client.mac);
      boot::Sighting s;
      s.mac = ex.client.mac;
      s.ip = ex.address;
      s.arch = ex.client.arch;
      s.ipxe = ex.client.ipxe;
      s.uuid = ex.client.uuid;
      s.user_class = ex.client.user_class;
      s.hostname = ex.client.hostname;
      s.at = unix_now();
      sightings.record(s);
    });
  }
  // Housekeeping: the timeline's retention, at start and every 10 minutes.
  Loop house_loop;
  asio::steady_timer prune_timer(house_loop.io);
  std::function<void()> prune_every;
  prune_every = [&] {
    timeline->prune();
    prune_timer.expires_after(std::chrono::minutes(10));
    prune_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) prune_every();
    });
  };
  prune_every();
  house_loop.run();

  durable_listener = dhcp_server.get();
  if (dhcp_server) dhcp_server->start();
  if (tftp_server) tftp_server->start();
  if (http_server) {
    http_server->set_observer([&timeline, metrics](const http::RequestRecord& r) {
      timeline->http(r);
      metrics->on_http(r);
    });
    http_server->start();
  }
  dhcp_loop.run();
  tftp_loop.run();
  http_loop.run();
  if (api_server) {
    api_server->start();
    api_loop.run();
  }
  std::string if_names;
  for (const auto& i : interfaces) if_names += (if_names.empty() ? "" : ",") + i.name;
  std::string dhcp_what =
      cfg.dhcp.proxy
          ? fmt::format("ProxyDHCP on {} (ports 67 and {}, boot information only)", if_names,
                        dhcp::kPxeBootServerPort)
          : fmt::format("DHCP on {} ({} subnet(s), {} lease(s) on record)", if_names,
                        cfg.dhcp.subnets.size(), leases.all().size());
  if (timeline->restored() > 0) {
    spdlog::info("timeline: {} recent event(s) loaded from {}", timeline->restored(),
                 cfg.dhcp.lease_db);
  }
  spdlog::info("pxed: ready: {}, TFTP on {}:{}, HTTP on {}:{}, root {}", dhcp_what,
               server_ip.to_string(), cfg.tftp.port, server_ip.to_string(), cfg.http.port,
               cfg.root);

  int stop_signal = 0;
  while (sigwait(&stop_signals, &stop_signal) != 0) {
  }
  spdlog::info("pxed: {} received, stopping", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
  if (dhcp_server) {
    dhcp_loop.stop([&] { dhcp_server->stop(); });
    const dhcp::ServerCounters& n = dhcp_server->counters();
    spdlog::info(
        "dhcp: {} packets received, {} malformed, {} replies, {} unanswered; {} ARP probes, {} "
        "conflicts; {} expired leases reclaimed",
        n.received.load(), n.malformed.load(), n.replies.load(), n.silent.load(), n.probes.load(),
        n.conflicts.load(), n.reclaimed.load());
  }
  if (tftp_server) tftp_loop.stop([&] { tftp_server->stop(); });
  if (http_server) http_loop.stop([&] { http_server->stop(); });
  if (api_server) api_loop.stop([&] { api_server->stop(); });
  house_loop.stop([&] { prune_timer.cancel(); });
  if (ra) {
    ra_loop.stop([&] { ra->stop(); });
    const net::RaCounters& n = ra->counters();
    spdlog::info(
        "ra: {} router solicitations received, {} advertisements sent, {} malformed, {} over the "
        "rate limit, {} unanswered; {} not from a booting PXE client, {} left to another router, "
        "{} held for their DHCP; {} advertisements from other routers",
        n.solicitations.load(), n.advertisements.load(), n.malformed.load(), n.limited.load(),
        n.unanswered.load(), n.not_booting.load(), n.router_present.load(), n.held.load(),
        n.routers_heard.load());
  }
  // Every lease already handed to the writer reaches the disk before we exit.
  durable_listener = nullptr;
  writer.reset();
  spdlog::info("pxed: stopped");
  return 0;
}

}  // namespace

int serve_main(const ServeOptions& o) {
  // SIGINT and SIGTERM stay blocked in every thread for the life of the process (the service
  // threads inherit the mask) and are taken synchronously by sigwait(): no handler runs at an
  // awkward moment, and a signal arriving while we shut down cannot kill us half-way.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    auto cfg = build_config(o);
    if (!cfg) {
      print_errors(cfg.error());
      return 2;
    }
    // What the API reports as the config's digest: of the file's bytes and the command line
    // (flags may set or override anything), so a change to either shows.
    std::string text;
    for (const std::string& path : {o.config_file, std::string("/proc/self/cmdline")}) {
      if (path.empty()) continue;
      std::ifstream in(path, std::ios::binary);
      std::ostringstream all;
      all << in.rdbuf();
      text += all.str();
      text += '\0';
    }
    const std::string digest = fmt::format("fnv1a64:{:016x}", http::fnv1a64(text));
    return run_services(*cfg, digest, stop_signals);
  } catch (const StartupError& e) {
    std::fprintf(stderr, "pxed: %s\n", e.what());
    return 2;
  }
}

int check_main(const std::string& config_file) {
  auto cfg = config::load_config_file(config_file);
  if (!cfg) {
    print_errors(cfg.error());
    return 2;
  }
  std::size_t reservations = 0;
  for (const auto& s : cfg->dhcp.subnets) reservations += s.reservations.size();
  std::printf("%s: OK (%zu subnet(s), %zu reservation(s), %zu boot profile(s), %zu rule(s), "
              "interfaces",
              config_file.c_str(), cfg->dhcp.subnets.size(), reservations,
              cfg->boot.profiles.size(), cfg->boot.rules.size());
  for (const auto& i : cfg->interfaces) std::printf(" %s", i.c_str());
  std::printf(")\n");
  return 0;
}

}  // namespace pxed::app

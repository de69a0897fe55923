#include "app/daemon.h"

#include <pthread.h>

#include <bit>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "boot/policy.h"
#include "core/file_root.h"
#include "dhcp/responder.h"
#include "dhcp/server.h"
#include "http/server.h"
#include "lease/sqlite_store.h"
#include "net/interface.h"
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

}  // namespace

int serve_main(const ServeOptions& o) {
  // SIGINT and SIGTERM stay blocked in every thread for the life of the process (the service
  // threads inherit the mask) and are taken synchronously by sigwait() below: no handler runs
  // at an awkward moment, and a signal arriving while we shut down cannot kill us half-way.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    net::InterfaceInfo iface = or_startup_error(net::find_interface(o.interface));
    AddressRange range = or_startup_error(parse_range(o.dhcp_range));
    if (!iface.ipv4.contains(range.start) || !iface.ipv4.contains(range.end)) {
      throw StartupError("--dhcp-range " + o.dhcp_range + " is not inside " + o.interface + "'s subnet " +
                         iface.ipv4.network().to_string() + "/" +
                         std::to_string(std::popcount(iface.ipv4.netmask.value())));
    }
    auto boot_files = or_startup_error(parse_boot_files(o.boot_files));
    auto routers = or_startup_error(parse_addresses(o.routers, "--router"));
    auto dns = or_startup_error(parse_addresses(o.dns_servers, "--dns"));

    std::unique_ptr<FileRoot> root;
    try {
      root = std::make_unique<FileRoot>(o.root);
    } catch (const std::runtime_error& e) {
      throw StartupError(e.what());
    }
    std::filesystem::path db(o.lease_db);
    if (db.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(db.parent_path(), ec);
    }
    std::unique_ptr<lease::SqliteStore> leases;
    try {
      leases = std::make_unique<lease::SqliteStore>(o.lease_db);
    } catch (const std::runtime_error& e) {
      throw StartupError(e.what());
    }

    setup_logging();
    std::signal(SIGPIPE, SIG_IGN);

    boot::Policy policy(boot::PolicyConfig{boot_files, o.ipxe_boot_file, iface.ipv4.address, o.http_port});
    dhcp::ResponderConfig rc;
    rc.server = iface.ipv4;
    rc.range_start = range.start;
    rc.range_end = range.end;
    rc.routers = routers;
    rc.dns_servers = dns;
    rc.lease_time = o.lease_time;
    dhcp::Responder responder(rc, policy, *leases);

    Loop dhcp_loop, tftp_loop, http_loop;
    std::unique_ptr<dhcp::Server> dhcp_server;
    std::unique_ptr<tftp::Server> tftp_server;
    std::unique_ptr<http::Server> http_server;
    try {
      dhcp_server = std::make_unique<dhcp::Server>(dhcp_loop.io, dhcp::ServerConfig{iface, 67}, responder);
      tftp::ServerConfig tc;
      tc.address = iface.ipv4.address;
      tc.port = o.tftp_port;
      tftp_server = std::make_unique<tftp::Server>(tftp_loop.io, tc, *root);
      http::ServerConfig hc;
      hc.address = iface.ipv4.address;
      hc.port = o.http_port;
      http_server = std::make_unique<http::Server>(http_loop.io, hc, *root);
    } catch (const std::system_error& e) {
      throw StartupError(e.what());
    }

    dhcp_server->start();
    tftp_server->start();
    http_server->start();
    dhcp_loop.run();
    tftp_loop.run();
    http_loop.run();
    spdlog::info("pxed: ready: DHCP on {} for {}, TFTP on {}:{}, HTTP on {}:{}, root {}", iface.name,
                 o.dhcp_range, iface.ipv4.address.to_string(), o.tftp_port,
                 iface.ipv4.address.to_string(), o.http_port, o.root);

    int stop_signal = 0;
    while (sigwait(&stop_signals, &stop_signal) != 0) {
    }
    spdlog::info("pxed: {} received, stopping", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    dhcp_loop.stop([&] { dhcp_server->stop(); });
    tftp_loop.stop([&] { tftp_server->stop(); });
    http_loop.stop([&] { http_server->stop(); });
    spdlog::info("pxed: stopped");
    return 0;
  } catch (const StartupError& e) {
    std::fprintf(stderr, "pxed: %s\n", e.what());
    return 2;
  }
}

}  // namespace pxed::app

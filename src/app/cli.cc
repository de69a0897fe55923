#include "app/cli.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "app/daemon.h"
#include "app/explain_tftp.h"
#include "app/leases_command.h"
#include "app/serve_options.h"

namespace pxed::app {

int run_cli(int argc, char** argv) {
  CLI::App app{"pxed: one network-boot server for DHCP, TFTP and HTTP"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pxed 0.1.0");

  ServeOptions o;
  CLI::App* serve = app.add_subcommand("serve", "Serve DHCP, TFTP and HTTP on one interface");
  serve->add_option("--config", o.config_file,
                    "TOML config file (see examples/pxed.toml); flags override it");
  serve->add_option("--interface", o.interface,
                    "Interface to serve; its IPv4 address is the server address");
  serve->add_option("--root", o.root, "Directory served read-only over TFTP and HTTP");
  serve->add_option("--dhcp-range", o.dhcp_range, "Addresses to lease, START-END");
  serve->add_option("--boot-file", o.boot_files,
                    "ARCH=FILE: loader for an architecture (bios, efi32, efi64, arm32, arm64 or an "
                    "option 93 number); repeatable");
  serve->add_option("--ipxe-boot-file", o.ipxe_boot_file,
                    "File or URL for clients already running iPXE (e.g. http://ADDR/boot.ipxe)");
  serve->add_option("--http-port", o.http_port, "HTTP port")->capture_default_str();
  serve->add_option("--tftp-port", o.tftp_port, "TFTP port")->capture_default_str();
  serve->add_option("--lease-db", o.lease_db, "SQLite lease database")->capture_default_str();
  serve->add_option("--router", o.routers, "Router to announce (option 3); repeatable");
  serve->add_option("--dns", o.dns_servers, "DNS server to announce (option 6); repeatable");
  serve->add_option("--lease-time", o.lease_time, "Lease time in seconds")
      ->capture_default_str()
      ->check(CLI::Range(60u, 31536000u));

  std::string check_file;
  CLI::App* check =
      app.add_subcommand("check", "Validate a config file; print every error as FILE:LINE:COL");
  check->add_option("--config", check_file, "TOML config file")->required();

  std::string leases_db = "/var/lib/pxed/leases.db";
  bool leases_json = false;
  CLI::App* leases = app.add_subcommand("leases", "List the leases on record");
  leases->add_option("--lease-db", leases_db, "SQLite lease database")->capture_default_str();
  leases->add_flag("--json", leases_json, "Print JSON");

  std::string explain_path, explain_client, explain_config, explain_root;
  CLI::App* explain_tftp = app.add_subcommand(
      "explain-tftp", "Show which remapping rules fire for a TFTP request and what it would get");
  explain_tftp->add_option("PATH", explain_path, "The file name as the client asks for it")
      ->required();
  explain_tftp->add_option("--client", explain_client, "The client's IPv4 address")->required();
  explain_tftp->add_option("--config", explain_config, "TOML config file (rules and root)");
  explain_tftp->add_option("--root", explain_root, "Served directory (overrides the config's)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "pxed: %s (see pxed %s--help)\n", e.what(),
                 serve->parsed() ? "serve " : "");
    return 2;
  }
  if (serve->parsed()) {
    for (const CLI::Option* opt : serve->get_options()) {
      if (opt->count() > 0) o.given.insert(opt->get_name());
    }
    return serve_main(o);
  }
  if (check->parsed()) return check_main(check_file);
  if (leases->parsed()) return leases_main(leases_db, leases_json);
  if (explain_tftp->parsed()) {
    return explain_tftp_main(explain_path, explain_client, explain_config, explain_root);
  }
  return 2;
}

}  // namespace pxed::app

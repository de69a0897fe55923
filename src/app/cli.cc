#include "app/cli.h"

#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "app/api_client.h"
#include "app/boot_commands.h"
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
  serve->add_flag("--proxy", o.proxy,
                  "ProxyDHCP beside the site's DHCP server: boot information for PXE clients "
                  "only, no addresses (ports 67 and 4011); no --dhcp-range, no leases");
  serve->add_option("--boot-file", o.boot_files,
                    "ARCH=FILE: loader for an architecture (bios, efi32, efi64, arm32, arm64 or an "
                    "option 93 number); repeatable");
  serve->add_option("--ipxe-boot-file", o.ipxe_boot_file,
                    "File or URL for clients already running iPXE (e.g. http://ADDR/boot.ipxe)");
  serve->add_option("--http-port", o.http_port, "HTTP port")->capture_default_str();
  serve->add_option("--tftp-port", o.tftp_port, "TFTP port")->capture_default_str();
  serve->add_option("--api-listen", o.api_listen,
                    "ADDRESS:PORT for the API, dashboard and metrics on a server of their own "
                    "(e.g. 127.0.0.1:8081); then not on the HTTP port");
  serve->add_option("--lease-db", o.lease_db, "SQLite lease database")->capture_default_str();
  serve->add_option("--router", o.routers, "Router to announce (option 3); repeatable");
  serve->add_option("--dns", o.dns_servers, "DNS server to announce (option 6); repeatable");
  serve->add_option("--lease-time", o.lease_time, "Lease time in seconds")
      ->capture_default_str()
      ->check(CLI::Range(60u, 31536000u));
  serve
      ->add_flag("--ipv6-ra{all}", o.ipv6_ra,
                 "Answer IPv6 router solicitations with an advertisement that configures "
                 "nothing (lifetime 0, no prefix), so iPXE does not wait ~13 s for IPv6: "
                 "pxe-clients (default: machines booting from pxed, on links without a router), "
                 "all (--ipv6-ra alone) or off")
      ->check(CLI::IsMember({"pxe-clients", "all", "off"}));

  std::string check_file;
  CLI::App* check =
      app.add_subcommand("check", "Validate a config file; print every error as FILE:LINE:COL");
  check->add_option("--config", check_file, "TOML config file")->required();

  // --api URL (env PXED_API): `pxed hosts` and `pxed leases` ask a running pxed's REST API
  // instead of opening the database; writes carry --token (env PXED_API_TOKEN) or --token-file.
  ApiTarget api_target;
  if (const char* api = std::getenv("PXED_API")) api_target.url = api;
  if (const char* token = std::getenv("PXED_API_TOKEN")) api_target.token = token;
  auto api_options = [&api_target](CLI::App* c) {
    c->add_option("--api", api_target.url,
                  "Ask a running pxed's API at http://HOST[:PORT] instead of the database "
                  "(env PXED_API)");
    c->add_option("--token", api_target.token, "The API's token for writes (env PXED_API_TOKEN)");
    c->add_option("--token-file", api_target.token_file, "A file whose first line is the token");
  };

  std::string leases_db = "/var/lib/pxed/leases.db";
  bool leases_json = false;
  CLI::App* leases = app.add_subcommand("leases", "List the leases on record");
  leases->add_option("--lease-db", leases_db, "SQLite lease database")->capture_default_str();
  leases->add_flag("--json", leases_json, "Print JSON");
  api_options(leases);

  std::string explain_path, explain_client, explain_config, explain_root;
  CLI::App* explain_tftp = app.add_subcommand(
      "explain-tftp", "Show which remapping rules fire for a TFTP request and what it would get");
  explain_tftp->add_option("PATH", explain_path, "The file name as the client asks for it")
      ->required();
  explain_tftp->add_option("--client", explain_client, "The client's IPv4 address")->required();
  explain_tftp->add_option("--config", explain_config, "TOML config file (rules and root)");
  explain_tftp->add_option("--root", explain_root, "Served directory (overrides the config's)");

  EventsOptions evo;
  if (const char* api = std::getenv("PXED_API")) evo.api = api;
  CLI::App* events = app.add_subcommand(
      "events", "A machine's boot timeline (or every machine's), from a running pxed's API");
  events->add_option("--mac", evo.mac, "The machine's MAC address (default: every machine)");
  events->add_option("--api", evo.api, "Where pxed's HTTP server answers (env PXED_API)")
      ->capture_default_str();
  events->add_option("--since", evo.since_ms, "Only events from this time on (unix ms)");
  events->add_option("--limit", evo.limit, "At most this many, the newest")->capture_default_str();
  events->add_flag("--json", evo.json, "Print the API's JSON");

  HostsOptions ho;
  CLI::App* hosts = app.add_subcommand(
      "hosts", "Per-machine boot settings kept in the lease database: list, set, remove");
  hosts->require_subcommand(1);
  auto host_db_options = [&](CLI::App* c) {
    c->add_option("--lease-db", ho.lease_db, "SQLite database (the lease database)")
        ->capture_default_str();
    c->add_option("--config", ho.config_file,
                  "Config file: its lease-db is used and profile names are checked");
    api_options(c);
  };
  CLI::App* hosts_list = hosts->add_subcommand("list", "List the hosts on record");
  host_db_options(hosts_list);
  hosts_list->add_flag("--json", ho.json, "Print JSON");
  CLI::App* hosts_set =
      hosts->add_subcommand("set", "Create or change a host (only what is given changes)");
  host_db_options(hosts_set);
  hosts_set->add_option("MAC", ho.mac, "The machine's MAC address")->required();
  hosts_set->add_option("--profile", ho.profile, "Its boot profile (\"\" to let rules decide)");
  hosts_set->add_option("--hostname", ho.hostname, "Its host name (rules can match it)");
  hosts_set->add_option("--label", ho.labels, "A label (rules can match it); repeatable");
  hosts_set->add_flag("--boot-once", ho.boot_once,
                      "Network-boot once, then boot from the local disk (again: re-arms it)");
  hosts_set->add_flag("--always", ho.always, "Network-boot every time (clears --boot-once)");
  CLI::App* hosts_remove = hosts->add_subcommand("remove", "Forget a host");
  host_db_options(hosts_remove);
  hosts_remove->add_option("MAC", ho.mac, "The machine's MAC address")->required();

  ExplainOptions eo;
  CLI::App* explain = app.add_subcommand(
      "explain", "Show, stage by stage, what a machine would boot and why");
  explain->add_option("--mac", eo.mac, "The machine's MAC address")->required();
  explain->add_option("--arch", eo.arch, "Its option 93 architecture (0 BIOS, 7 x64 UEFI, ...)");
  explain->add_option("--user-class", eo.user_class, "Its user class (iPXE: the iPXE stage only)");
  explain->add_option("--ip", eo.ip, "The address it gets");
  explain->add_option("--uuid", eo.uuid, "Its UUID (option 97)");
  explain->add_option("--hostname", eo.hostname, "The host name it sends");
  explain->add_option("--config", eo.config_file, "TOML config file")->required();
  explain->add_option("--lease-db", eo.lease_db, "Database with the hosts (default: the config's)");
  explain->add_option("--server", eo.server,
                      "Server address for URLs (default: the first interface's)");

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
  if (hosts->parsed()) {
    ho.action = hosts_list->parsed() ? "list" : hosts_set->parsed() ? "set" : "remove";
    for (CLI::App* c : {hosts_list, hosts_set, hosts_remove}) {
      if (!c->parsed()) continue;
      ho.lease_db_given = c->count("--lease-db") > 0;
    }
    ho.labels_given = hosts_set->parsed() && hosts_set->count("--label") > 0;
    ho.api = api_target;
    return hosts_main(ho);
  }
  if (explain->parsed()) return explain_main(eo);
  if (leases->parsed()) return leases_main(leases_db, leases_json, api_target);
  if (events->parsed()) return events_main(evo);
  if (explain_tftp->parsed()) {
    return explain_tftp_main(explain_path, explain_client, explain_config, explain_root);
  }
  return 2;
}

}  // namespace pxed::app

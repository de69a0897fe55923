#include "app/flags_config.h"

#include <bit>

#include <fmt/format.h>

#include "config/loader.h"
#include "dhcp/options.h"

namespace pxed::app {

namespace {

config::OptionValue address_option(std::uint8_t code, const std::vector<Ipv4>& ips) {
  config::OptionValue v;
  v.code = code;
  for (Ipv4 ip : ips) {
    auto b = ip.bytes();
    v.data.insert(v.data.end(), b.begin(), b.end());
  }
  v.pos.file = "command line";
  return v;
}

Result<std::optional<config::ListenAddress>> api_listen(const ServeOptions& o) {
  if (!o.given.contains("--api-listen")) return std::nullopt;
  auto listen = config::parse_listen_address(o.api_listen);
  if (!listen) {
    return fail(Errc::invalid_argument,
                fmt::format("--api-listen {}: expected ADDRESS:PORT with an IPv4 address, such "
                            "as 127.0.0.1:8081",
                            o.api_listen));
  }
  return listen;
}

}  // namespace

Result<config::Config> config_from_flags(const ServeOptions& o, const net::InterfaceInfo& iface) {
  if (o.proxy && o.given.contains("--dhcp-range")) {
    return fail(Errc::invalid_argument,
                "--dhcp-range has no use in proxy mode: the site's DHCP server hands out addresses");
  }
  std::vector<config::AddressRange> pools;  // none with --proxy
  if (!o.proxy) {
    auto range = parse_range(o.dhcp_range);
    if (!range) return tl::unexpected(range.error());
    pools.push_back(*range);
  }
  for (const config::AddressRange& range : pools) {
    if (iface.ipv4.contains(range.start) && iface.ipv4.contains(range.end)) continue;
    return fail(
        Errc::invalid_argument,
        fmt::format("--dhcp-range {} is not inside {}'s subnet {}/{}", o.dhcp_range, iface.name,
                    iface.ipv4.network().to_string(), std::popcount(iface.ipv4.netmask.value())));
  }
  auto boot_files = parse_boot_files(o.boot_files);
  if (!boot_files) return tl::unexpected(boot_files.error());
  auto routers = parse_addresses(o.routers, "--router");
  if (!routers) return tl::unexpected(routers.error());
  auto dns = parse_addresses(o.dns_servers, "--dns");
  if (!dns) return tl::unexpected(dns.error());
  auto listen = api_listen(o);
  if (!listen) return tl::unexpected(listen.error());

  config::Config c;
  c.interfaces = {o.interface};
  c.root = o.root;
  config::Subnet s;
  s.network = Ipv4Network{iface.ipv4.network(), iface.ipv4.netmask};
  s.interfaces = {o.interface};
  s.pools = std::move(pools);
  s.pos.file = "command line";
  c.dhcp.proxy = o.proxy;
  if (!o.proxy) c.dhcp.subnets.push_back(std::move(s));
  if (!routers->empty()) c.dhcp.options.push_back(address_option(dhcp::opt::kRouter, *routers));
  if (!dns->empty()) c.dhcp.options.push_back(address_option(dhcp::opt::kDnsServers, *dns));
  c.dhcp.lease_time = o.lease_time;
  c.dhcp.lease_db = o.lease_db;
  c.dhcp.ipv6_router_advertisement =
        net::parse_ra_mode(o.ipv6_ra).value_or(net::RaMode::pxe_clients);
  c.tftp.port = o.tftp_port;
  c.http.port = o.http_port;
  c.boot.boot_files = std::move(*boot_files);
  c.boot.ipxe_boot_file = o.ipxe_boot_file;
  c.api.listen = *listen;
  return c;
}

Result<void> apply_flag_overrides(const ServeOptions& o, config::Config& c,
                                  config::SourceMap& sources) {
  auto given = [&](const char* flag) { return o.given.contains(flag); };
  auto from = [](const char* flag) { return config::SourcePos{flag, 0, 0}; };
  if (given("--interface")) {
    c.interfaces = {o.interface};
    sources.replace("interfaces", from("--interface"));
  }
  if (given("--root")) {
    c.root = o.root;
    sources.replace("root", from("--root"));
  }
  if (given("--proxy")) {
    // ProxyDHCP hands out no addresses: the file's subnets are not used.
    c.dhcp.proxy = true;
    c.dhcp.subnets.clear();
    sources.replace("dhcp.mode", from("--proxy"));
  }
  if (given("--dhcp-range") && c.dhcp.proxy) {
    return fail(Errc::invalid_argument,
                "--dhcp-range has no use in proxy mode: the site's DHCP server hands out "
                "addresses");
  }
  if (given("--dhcp-range")) {
    if (c.dhcp.subnets.size() != 1) {
      return fail(Errc::invalid_argument,
                  fmt::format("--dhcp-range needs a config with exactly one subnet; "
                              "{} has {}",
                              o.config_file, c.dhcp.subnets.size()));
    }
    auto range = parse_range(o.dhcp_range);
    if (!range) return tl::unexpected(range.error());
    c.dhcp.subnets[0].pools = {*range};
    sources.replace("dhcp.subnet[0].pools", from("--dhcp-range"));
  }
  if (given("--boot-file")) {
    auto files = parse_boot_files(o.boot_files);
    if (!files) return tl::unexpected(files.error());
    for (auto& [code, file] : *files) c.boot.boot_files[code] = file;
  }
  if (given("--ipxe-boot-file")) c.boot.ipxe_boot_file = o.ipxe_boot_file;
  if (given("--http-port")) {
    c.http.port = o.http_port;
    sources.replace("http.port", from("--http-port"));
  }
  if (given("--api-listen")) {
    auto listen = api_listen(o);
    if (!listen) return tl::unexpected(listen.error());
    c.api.listen = *listen;
    sources.replace("api.listen", from("--api-listen"));
  }
  if (given("--tftp-port")) {
    c.tftp.port = o.tftp_port;
    sources.replace("tftp.port", from("--tftp-port"));
  }
  if (given("--lease-db")) {
    c.dhcp.lease_db = o.lease_db;
    sources.replace("dhcp.lease-db", from("--lease-db"));
  }
  if (given("--ipv6-ra")) {
    c.dhcp.ipv6_router_advertisement =
        net::parse_ra_mode(o.ipv6_ra).value_or(net::RaMode::pxe_clients);
    sources.replace("dhcp.ipv6-router-advertisement", from("--ipv6-ra"));
  }
  if (given("--lease-time")) {
    c.dhcp.lease_time = o.lease_time;
    sources.replace("dhcp.lease-time", from("--lease-time"));
  }
  auto set_global = [&](std::uint8_t code, const std::vector<Ipv4>& ips) {
    std::erase_if(c.dhcp.options, [&](const config::OptionValue& v) { return v.code == code; });
    c.dhcp.options.push_back(address_option(code, ips));
  };
  if (given("--router")) {
    auto routers = parse_addresses(o.routers, "--router");
    if (!routers) return tl::unexpected(routers.error());
    set_global(dhcp::opt::kRouter, *routers);
  }
  if (given("--dns")) {
    auto dns = parse_addresses(o.dns_servers, "--dns");
    if (!dns) return tl::unexpected(dns.error());
    set_global(dhcp::opt::kDnsServers, *dns);
  }
  return {};
}

}  // namespace pxed::app

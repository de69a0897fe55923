#include "app/boot_commands.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "boot/explain.h"
#include "config/loader.h"
#include "lease/sqlite_hosts.h"
#include "net/interface.h"

namespace pxed::app {

namespace {

std::optional<config::Config> load(const std::string& file) {
  auto cfg = config::load_config_file(file);
  if (!cfg) {
    for (const auto& e : cfg.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return std::nullopt;
  }
  return std::move(*cfg);
}

std::string boot_once_text(const boot::HostRecord& h, std::int64_t now) {
  if (!h.boot_once) return "-";
  if (h.netbooted_at == 0) return "armed";
  return boot::boots_locally(h, now) ? "used" : "in use";
}

int list_hosts(const std::vector<boot::HostRecord>& hosts, bool json) {
  const std::int64_t now = unix_now();
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& h : hosts) {
      out.push_back({{"mac", h.mac.to_string()},
                     {"profile", h.profile},
                     {"hostname", h.hostname},
                     {"labels", h.labels},
                     {"boot_once", h.boot_once},
                     {"netbooted_at", h.netbooted_at},
                     {"boots_locally", boot::boots_locally(h, now)}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<18} {:<16} {:<20} {:<10} {}\n", "MAC", "PROFILE", "HOSTNAME",
                           "BOOT-ONCE", "LABELS");
  for (const auto& h : hosts) {
    std::string labels;
    for (const auto& l : h.labels) labels += (labels.empty() ? "" : ",") + l;
    std::cout << fmt::format("{:<18} {:<16} {:<20} {:<10} {}\n", h.mac.to_string(),
                             h.profile.empty() ? "-" : h.profile,
                             h.hostname.empty() ? "-" : h.hostname, boot_once_text(h, now),
                             labels.empty() ? "-" : labels);
  }
  std::cout << fmt::format("{} host(s)\n", hosts.size());
  return 0;
}

void print_set(const boot::HostRecord& h) {
  std::printf("%s: profile %s, hostname %s, boot once %s\n", h.mac.to_string().c_str(),
              h.profile.empty() ? "-" : h.profile.c_str(),
              h.hostname.empty() ? "-" : h.hostname.c_str(), boot_once_text(h, unix_now()).c_str());
}

// A host as the API writes it (api/rest_api.cc host_json).
std::optional<boot::HostRecord> host_from_json(const nlohmann::json& j) {
  try {
    auto mac = MacAddress::parse(j.at("mac").get<std::string>());
    if (!mac) return std::nullopt;
    boot::HostRecord h;
    h.mac = *mac;
    h.profile = j.value("profile", "");
    h.hostname = j.value("hostname", "");
    h.labels = j.value("labels", std::vector<std::string>{});
    h.boot_once = j.value("boot_once", false);
    h.netbooted_at = j.value("netbooted_at", std::int64_t{0});
    return h;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

int not_a_host(const HostsOptions& o) {
  std::fprintf(stderr, "pxed: the API at %s answered a host record pxed cannot read\n",
               o.api.url.c_str());
  return 2;
}

// hosts list|set|remove through a running pxed's API.
int hosts_over_api(const HostsOptions& o, const MacAddress* mac) {
  if (o.action == "list") {
    ApiCall call = call_api(o.api, "GET", "hosts");
    if (call.exit != 0) return call.exit;
    std::vector<boot::HostRecord> hosts;
    for (const auto& j : call.body.value("hosts", nlohmann::json::array())) {
      auto h = host_from_json(j);
      if (!h) return not_a_host(o);
      hosts.push_back(std::move(*h));
    }
    return list_hosts(hosts, o.json);
  }
  const std::string path = "hosts/" + mac->to_string();
  if (o.action == "remove") {
    ApiCall call = call_api(o.api, "DELETE", path, nullptr, {404});
    if (call.exit != 0) return call.exit;
    const bool removed = call.status != 404;
    if (!removed && call.body.value("error", "") != "no host " + mac->to_string()) {
      std::fprintf(stderr, "pxed: the API answered 404: %s\n",
                   call.body.value("error", "").c_str());
      return 1;
    }
    std::printf("%s %s\n", mac->to_string().c_str(), removed ? "removed" : "was not on record");
    return removed ? 0 : 1;
  }
  // set: PATCH changes what is given and keeps the rest (or creates the host).
  nlohmann::json body = nlohmann::json::object();
  if (o.profile) body["profile"] = *o.profile;
  if (o.hostname) body["hostname"] = *o.hostname;
  if (o.labels_given) body["labels"] = o.labels;
  if (o.boot_once) body["boot_once"] = true;  // (re)armed
  if (o.always) body["boot_once"] = false;
  ApiCall call = call_api(o.api, "PATCH", path, body);
  if (call.exit != 0) return call.exit;
  auto h = host_from_json(call.body);
  if (!h) return not_a_host(o);
  print_set(*h);
  return 0;
}

}  // namespace

int hosts_main(const HostsOptions& o) {
  std::string db_path = o.lease_db;
  std::optional<config::Config> cfg;
  if (!o.config_file.empty()) {
    cfg = load(o.config_file);
    if (!cfg) return 2;
    if (!o.lease_db_given) db_path = cfg->dhcp.lease_db;
  }
  if (o.action == "list" && o.api.url.empty() && !std::filesystem::exists(db_path)) {
    std::fprintf(stderr, "pxed: no database at %s\n", db_path.c_str());
    return 2;
  }
  std::optional<MacAddress> mac;
  if (o.action != "list") {
    mac = MacAddress::parse(o.mac);
    if (!mac) {
      std::fprintf(stderr, "pxed: hosts %s: expected a MAC address like 52:54:00:12:34:56, got '%s'\n",
                   o.action.c_str(), o.mac.c_str());
      return 2;
    }
  }
  if (o.boot_once && o.always) {
    std::fprintf(stderr, "pxed: hosts set: --boot-once and --always contradict each other\n");
    return 2;
  }
  if (cfg && o.profile && !o.profile->empty()) {
    bool known = false;
    for (const auto& p : cfg->boot.profiles) known = known || p.name == *o.profile;
    if (!known) {
      std::fprintf(stderr, "pxed: hosts set: %s has no profile named '%s'\n",
                   o.config_file.c_str(), o.profile->c_str());
      return 2;
    }
  }
  if (!o.api.url.empty()) return hosts_over_api(o, mac ? &*mac : nullptr);
  try {
    lease::SqliteHosts db(db_path);
    if (o.action == "list") return list_hosts(db.all(), o.json);
    if (o.action == "remove") {
      auto removed = db.remove(*mac);
      if (!removed) {
        std::fprintf(stderr, "pxed: %s\n", removed.error().message.c_str());
        return 2;
      }
      std::printf("%s %s\n", mac->to_string().c_str(), *removed ? "removed" : "was not on record");
      return *removed ? 0 : 1;
    }
    // set: change what was given, keep the rest.
    boot::HostRecord h;
    for (const auto& existing : db.all()) {
      if (existing.mac == *mac) h = existing;
    }
    h.mac = *mac;
    if (o.profile) h.profile = *o.profile;
    if (o.hostname) h.hostname = *o.hostname;
    if (o.labels_given) h.labels = o.labels;
    if (o.boot_once) {
      h.boot_once = true;
      h.netbooted_at = 0;  // (re)armed: its next boot is a network boot
    }
    if (o.always) {
      h.boot_once = false;
      h.netbooted_at = 0;
    }
    if (auto put = db.put(h); !put) {
      std::fprintf(stderr, "pxed: %s\n", put.error().message.c_str());
      return 2;
    }
    print_set(h);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pxed: %s\n", e.what());
    return 2;
  }
}

int explain_main(const ExplainOptions& o) {
  auto mac = MacAddress::parse(o.mac);
  if (!mac) {
    std::fprintf(stderr, "pxed: explain --mac: expected a MAC address like 52:54:00:12:34:56\n");
    return 2;
  }
  boot::ExplainInput in;
  in.mac = *mac;
  if (o.arch) {
    if (*o.arch > 0xffff) {
      std::fprintf(stderr, "pxed: explain --arch: expected an option 93 value (0 to 65535)\n");
      return 2;
    }
    in.arch = static_cast<std::uint16_t>(*o.arch);
  }
  in.user_class = o.user_class;
  in.hostname = o.hostname;
  if (!o.ip.empty()) {
    auto ip = Ipv4::parse(o.ip);
    if (!ip) {
      std::fprintf(stderr, "pxed: explain --ip: expected an IPv4 address\n");
      return 2;
    }
    in.ip = *ip;
  }
  if (!o.uuid.empty()) {
    in.uuid = boot::parse_uuid(o.uuid);
    if (!in.uuid) {
      std::fprintf(stderr, "pxed: explain --uuid: expected a UUID\n");
      return 2;
    }
  }
  auto cfg = load(o.config_file);
  if (!cfg) return 2;
  // A reservation for this MAC (its boot-file and host name count, as in DHCP).
  for (const auto& s : cfg->dhcp.subnets) {
    for (const auto& r : s.reservations) {
      if (r.mac && *r.mac == *mac) {
        in.reservation_boot_file = r.boot_file;
        if (in.hostname.empty()) in.hostname = r.hostname;
        if (in.ip.is_zero() && r.address) in.ip = *r.address;
      }
    }
  }
  std::string db_path = o.lease_db.empty() ? cfg->dhcp.lease_db : o.lease_db;
  std::unique_ptr<lease::SqliteHosts> hosts;
  if (std::filesystem::exists(db_path)) {
    try {
      hosts = std::make_unique<lease::SqliteHosts>(db_path);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pxed: %s\n", e.what());
      return 2;
    }
  }
  // The server address: --server, else the first served interface's, if it exists here.
  Ipv4 server;
  if (!o.server.empty()) {
    auto ip = Ipv4::parse(o.server);
    if (!ip) {
      std::fprintf(stderr, "pxed: explain --server: expected an IPv4 address\n");
      return 2;
    }
    server = *ip;
  } else if (!cfg->interfaces.empty()) {
    if (auto i = net::find_interface(cfg->interfaces.front())) server = i->ipv4.address;
  }
  if (server.is_zero()) {
    std::fprintf(stderr,
                 "pxed: explain: interface %s is not on this machine; URLs show 0.0.0.0 (give "
                 "--server ADDR)\n",
                 cfg->interfaces.empty() ? "(none)" : cfg->interfaces.front().c_str());
  }
  boot::PolicyConfig pc;
  pc.boot_files = cfg->boot.boot_files;
  pc.ipxe_boot_file = cfg->boot.ipxe_boot_file;
  pc.server = server;
  pc.http_port = cfg->http.port;
  pc.profiles = cfg->boot.profiles;
  pc.rules = cfg->boot.rules;
  pc.default_profile = cfg->boot.default_profile;
  boot::Policy policy(std::move(pc), hosts.get());
  std::cout << boot::explain(policy, in, unix_now());
  return 0;
}

}  // namespace pxed::app

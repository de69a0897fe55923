#include "app/leases_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lease/sqlite_store.h"

namespace pxed::app {

namespace {

// A lease as the API writes it (api/rest_api.cc lease_json).
std::optional<lease::Lease> lease_from_json(const nlohmann::json& j) {
  try {
    auto address = Ipv4::parse(j.at("address").get<std::string>());
    auto mac = MacAddress::parse(j.at("mac").get<std::string>());
    if (!address || !mac) return std::nullopt;
    lease::Lease l;
    l.address = *address;
    l.mac = *mac;
    l.client_key = j.value("client_key", "");
    l.hostname = j.value("hostname", "");
    l.expires_at = j.at("expires_at").get<std::int64_t>();
    return l;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

int leases_main(const std::string& lease_db, bool json, const ApiTarget& api) {
  std::vector<lease::Lease> leases;
  if (!api.url.empty()) {
    ApiCall call = call_api(api, "GET", "leases");
    if (call.exit != 0) return call.exit;
    for (const auto& j : call.body.value("leases", nlohmann::json::array())) {
      auto l = lease_from_json(j);
      if (!l) {
        std::fprintf(stderr, "pxed: the API at %s answered a lease pxed cannot read\n",
                     api.url.c_str());
        return 2;
      }
      leases.push_back(std::move(*l));
    }
  } else if (!std::filesystem::exists(lease_db)) {
    std::fprintf(stderr, "pxed: no lease database at %s\n", lease_db.c_str());
    return 2;
  } else {
    try {
      lease::SqliteStore store(lease_db);
      leases = store.all();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pxed: %s\n", e.what());
      return 2;
    }
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : leases) {
      out.push_back({{"address", l.address.to_string()},
                     {"mac", l.mac.to_string()},
                     {"client", l.client_key},
                     {"hostname", l.hostname},
                     {"expires_at", l.expires_at},
                     {"active", l.active(now)}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<16} {:<18} {:<10} {:<20} {}\n", "ADDRESS", "MAC", "STATE",
                           "EXPIRES IN", "HOSTNAME");
  for (const auto& l : leases) {
    std::string state = l.client_key == "declined" ? "declined"
                        : l.active(now)            ? "active"
                                                   : "expired";
    std::string expires = l.active(now) ? fmt::format("{} s", l.expires_at - now) : "-";
    std::cout << fmt::format("{:<16} {:<18} {:<10} {:<20} {}\n", l.address.to_string(),
                             l.mac.to_string(), state, expires, l.hostname);
  }
  std::cout << fmt::format("{} lease(s)\n", leases.size());
  return 0;
}

}  // namespace pxed::app

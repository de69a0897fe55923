#include "app/leases_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lease/sqlite_store.h"

namespace pxed::app {

int leases_main(const std::string& lease_db, bool json) {
  if (!std::filesystem::exists(lease_db)) {
    std::fprintf(stderr, "pxed: no lease database at %s\n", lease_db.c_str());
    return 2;
  }
  std::vector<lease::Lease> leases;
  try {
    lease::SqliteStore store(lease_db);
    leases = store.all();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pxed: %s\n", e.what());
    return 2;
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

// The hosts the database knows (`pxed hosts`): a profile, a host name, labels and the boot-once
// mark per MAC. An interface, so the boot policy does not depend on where they are kept; the
// SQLite implementation is lease/sqlite_hosts.h. Implementations are thread-safe: DHCP asks from
// its loop, TFTP and HTTP from theirs.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "boot/profile.h"
#include "core/result.h"

namespace pxed::boot {

class HostDirectory {
 public:
  virtual ~HostDirectory() = default;
  virtual std::optional<HostRecord> find(const MacAddress& mac) = 0;
  // The host's boot config was served at `now` (only the first time counts until re-armed).
  virtual Result<void> mark_netbooted(const MacAddress& mac, std::int64_t now) = 0;
};

// In memory, for tests and for running without a database.
class MemoryHosts final : public HostDirectory {
 public:
  void put(HostRecord h) {
    std::lock_guard lock(mutex_);
    hosts_[h.mac] = std::move(h);
  }
  std::optional<HostRecord> find(const MacAddress& mac) override {
    std::lock_guard lock(mutex_);
    auto it = hosts_.find(mac);
    if (it == hosts_.end()) return std::nullopt;
    return it->second;
  }
  Result<void> mark_netbooted(const MacAddress& mac, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    auto it = hosts_.find(mac);
    if (it != hosts_.end() && it->second.netbooted_at == 0) it->second.netbooted_at = now;
    return {};
  }

 private:
  std::mutex mutex_;
  std::map<MacAddress, HostRecord> hosts_;
};

}  // namespace pxed::boot

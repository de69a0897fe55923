// The hosts table (`pxed hosts`), kept in the lease database: one row per MAC with its profile,
// host name, labels and boot-once mark. The daemon reads it through boot::HostDirectory from
// several threads; rows changed by another process (`pxed hosts set` while pxed runs) are seen
// within a second (SQLite's data_version says when to reload).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "boot/hosts.h"

struct sqlite3;

namespace pxed::lease {

class SqliteHosts final : public boot::HostDirectory {
 public:
  // Opens or creates the database and the table; throws std::runtime_error naming the path.
  explicit SqliteHosts(const std::string& path);
  ~SqliteHosts() override;
  SqliteHosts(const SqliteHosts&) = delete;
  SqliteHosts& operator=(const SqliteHosts&) = delete;

  std::optional<boot::HostRecord> find(const MacAddress& mac) override;
  Result<void> mark_netbooted(const MacAddress& mac, std::int64_t now) override;

  std::vector<boot::HostRecord> all();
  Result<void> put(const boot::HostRecord& host);
  Result<bool> remove(const MacAddress& mac);  // false: there was no such host

 private:
  void exec(const char* sql);
  Result<void> reload();         // under mutex_
  void reload_if_changed();      // under mutex_
  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::map<MacAddress, boot::HostRecord> hosts_;
  std::int64_t data_version_ = -1;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace pxed::lease

#include "lease/sqlite_hosts.h"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace pxed::lease {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS hosts (
  mac          TEXT PRIMARY KEY,      -- aa:bb:cc:dd:ee:ff
  profile      TEXT NOT NULL DEFAULT '',
  hostname     TEXT NOT NULL DEFAULT '',
  labels       TEXT NOT NULL DEFAULT '',  -- comma-separated
  boot_once    INTEGER NOT NULL DEFAULT 0,
  netbooted_at INTEGER NOT NULL DEFAULT 0 -- unix seconds its boot config was first served
);
)sql";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

std::vector<std::string> split_labels(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string join_labels(const std::vector<std::string>& labels) {
  std::string out;
  for (const auto& l : labels) out += (out.empty() ? "" : ",") + l;
  return out;
}

void bind_text(sqlite3_stmt* s, int i, const std::string& text) {
  sqlite3_bind_text(s, i, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

SqliteHosts::SqliteHosts(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open host database " + path + ": " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec(kSchema);
    std::lock_guard lock(mutex_);
    if (auto r = reload(); !r) throw std::runtime_error(r.error().message);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

SqliteHosts::~SqliteHosts() {
  sqlite3_close(db_);
}

void SqliteHosts::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("host database " + path_ + ": " + why);
  }
}

Result<void> SqliteHosts::reload() {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT mac, profile, hostname, labels, boot_once, netbooted_at FROM "
                         "hosts",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  Stmt s(raw);
  std::map<MacAddress, boot::HostRecord> hosts;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    auto mac = MacAddress::parse(column_text(s.get(), 0));
    if (!mac) continue;  // not written by us
    boot::HostRecord h;
    h.mac = *mac;
    h.profile = column_text(s.get(), 1);
    h.hostname = column_text(s.get(), 2);
    h.labels = split_labels(column_text(s.get(), 3));
    h.boot_once = sqlite3_column_int64(s.get(), 4) != 0;
    h.netbooted_at = sqlite3_column_int64(s.get(), 5);
    hosts[h.mac] = std::move(h);
  }
  if (rc != SQLITE_DONE) return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  hosts_ = std::move(hosts);
  sqlite3_stmt* v = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &v, nullptr) == SQLITE_OK) {
    Stmt version(v);
    if (sqlite3_step(v) == SQLITE_ROW) data_version_ = sqlite3_column_int64(v, 0);
  }
  return {};
}

void SqliteHosts::reload_if_changed() {
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ < std::chrono::seconds(1)) return;
  checked_ = now;
  sqlite3_stmt* v = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &v, nullptr) != SQLITE_OK) return;
  Stmt version(v);
  if (sqlite3_step(v) != SQLITE_ROW) return;
  // Changes by other connections only; our own writes are in hosts_ already.
  if (sqlite3_column_int64(v, 0) != data_version_) (void)reload();
}

std::optional<boot::HostRecord> SqliteHosts::find(const MacAddress& mac) {
  std::lock_guard lock(mutex_);
  reload_if_changed();
  auto it = hosts_.find(mac);
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

Result<void> SqliteHosts::mark_netbooted(const MacAddress& mac, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = hosts_.find(mac);
  if (it == hosts_.end() || it->second.netbooted_at != 0) return {};
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "UPDATE hosts SET netbooted_at = ? WHERE mac = ? AND netbooted_at = 0", -1,
                         &raw, nullptr) != SQLITE_OK) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  Stmt s(raw);
  sqlite3_bind_int64(raw, 1, now);
  bind_text(raw, 2, mac.to_string());
  if (sqlite3_step(raw) != SQLITE_DONE) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  it->second.netbooted_at = now;
  return {};
}

std::vector<boot::HostRecord> SqliteHosts::all() {
  std::lock_guard lock(mutex_);
  (void)reload();
  std::vector<boot::HostRecord> out;
  for (const auto& [mac, h] : hosts_) out.push_back(h);
  return out;
}

Result<void> SqliteHosts::put(const boot::HostRecord& h) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO hosts (mac, profile, hostname, labels, boot_once, "
                         "netbooted_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (mac) DO UPDATE SET "
                         "profile = excluded.profile, hostname = excluded.hostname, labels = "
                         "excluded.labels, boot_once = excluded.boot_once, netbooted_at = "
                         "excluded.netbooted_at",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  Stmt s(raw);
  bind_text(raw, 1, h.mac.to_string());
  bind_text(raw, 2, h.profile);
  bind_text(raw, 3, h.hostname);
  bind_text(raw, 4, join_labels(h.labels));
  sqlite3_bind_int64(raw, 5, h.boot_once ? 1 : 0);
  sqlite3_bind_int64(raw, 6, h.netbooted_at);
  if (sqlite3_step(raw) != SQLITE_DONE) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  hosts_[h.mac] = h;
  return {};
}

Result<bool> SqliteHosts::remove(const MacAddress& mac) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "DELETE FROM hosts WHERE mac = ?", -1, &raw, nullptr) != SQLITE_OK) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  Stmt s(raw);
  bind_text(raw, 1, mac.to_string());
  if (sqlite3_step(raw) != SQLITE_DONE) {
    return fail(Errc::io, "host database: " + std::string(sqlite3_errmsg(db_)));
  }
  hosts_.erase(mac);
  return sqlite3_changes(db_) > 0;
}

}  // namespace pxed::lease

#include "lease/sqlite_store.h"

#include <sqlite3.h>

#include <stdexcept>

namespace pxed::lease {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS leases (
  address    INTEGER PRIMARY KEY,   -- IPv4 in host order
  client_key TEXT NOT NULL,
  mac        TEXT NOT NULL,
  hostname   TEXT NOT NULL DEFAULT '',
  expires_at INTEGER NOT NULL,      -- unix seconds
  seq        INTEGER NOT NULL       -- write order, to find a client's latest lease
);
CREATE INDEX IF NOT EXISTS leases_by_client ON leases (client_key, seq);
)sql";

constexpr const char* kColumns = "address, client_key, mac, hostname, expires_at";

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

Lease read_row(sqlite3_stmt* s) {
  Lease l;
  l.address = Ipv4(static_cast<std::uint32_t>(sqlite3_column_int64(s, 0)));
  l.client_key = column_text(s, 1);
  l.mac = MacAddress::parse(column_text(s, 2)).value_or(MacAddress());
  l.hostname = column_text(s, 3);
  l.expires_at = sqlite3_column_int64(s, 4);
  return l;
}

// Resets a statement when the scope ends, so it never holds a read transaction open.
struct ResetGuard {
  sqlite3_stmt* s;
  ~ResetGuard() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

}  // namespace

void SqliteStore::StmtDeleter::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

SqliteStore::SqliteStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open lease database " + path + ": " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec(kSchema);
    Stmt max_seq = prepare("SELECT COALESCE(MAX(seq), 0) FROM leases");
    if (sqlite3_step(max_seq.get()) == SQLITE_ROW) seq_ = sqlite3_column_int64(max_seq.get(), 0);
    by_address_ = prepare(
        "SELECT address, client_key, mac, hostname, expires_at FROM leases WHERE address = ?");
    by_client_ = prepare(
        "SELECT address, client_key, mac, hostname, expires_at FROM leases WHERE client_key = ? "
        "ORDER BY seq DESC LIMIT 1");
    put_ = prepare(
        "INSERT INTO leases (address, client_key, mac, hostname, expires_at, seq) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET client_key = "
        "excluded.client_key, "
        "mac = excluded.mac, hostname = excluded.hostname, expires_at = excluded.expires_at, "
        "seq = excluded.seq");
    remove_ = prepare("DELETE FROM leases WHERE address = ?");
    all_ = prepare((std::string("SELECT ") + kColumns + " FROM leases ORDER BY address").c_str());
  } catch (...) {
    by_address_.reset();
    by_client_.reset();
    put_.reset();
    remove_.reset();
    all_.reset();
    sqlite3_close(db_);
    throw;
  }
}

SqliteStore::~SqliteStore() {
  by_address_.reset();
  by_client_.reset();
  put_.reset();
  remove_.reset();
  all_.reset();
  sqlite3_close(db_);
}

std::string SqliteStore::error_text() const {
  return sqlite3_errmsg(db_);
}

void SqliteStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("lease database " + path_ + ": " + why);
  }
}

SqliteStore::Stmt SqliteStore::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
    throw std::runtime_error("lease database " + path_ + ": " + error_text());
  }
  return Stmt(s);
}

std::optional<Lease> SqliteStore::by_address(Ipv4 address) {
  sqlite3_stmt* s = by_address_.get();
  ResetGuard g{s};
  sqlite3_bind_int64(s, 1, address.value());
  if (sqlite3_step(s) != SQLITE_ROW) return std::nullopt;
  return read_row(s);
}

std::optional<Lease> SqliteStore::by_client(const std::string& client_key) {
  sqlite3_stmt* s = by_client_.get();
  ResetGuard g{s};
  sqlite3_bind_text(s, 1, client_key.c_str(), static_cast<int>(client_key.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_ROW) return std::nullopt;
  return read_row(s);
}

Result<void> SqliteStore::put(const Lease& lease) {
  sqlite3_stmt* s = put_.get();
  ResetGuard g{s};
  std::string mac = lease.mac.to_string();
  sqlite3_bind_int64(s, 1, lease.address.value());
  sqlite3_bind_text(s, 2, lease.client_key.c_str(), static_cast<int>(lease.client_key.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, mac.c_str(), static_cast<int>(mac.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, lease.hostname.c_str(), static_cast<int>(lease.hostname.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, lease.expires_at);
  sqlite3_bind_int64(s, 6, seq_ + 1);
  if (sqlite3_step(s) != SQLITE_DONE) return fail(Errc::io, "lease database: " + error_text());
  ++seq_;
  return {};
}

Result<void> SqliteStore::remove(Ipv4 address) {
  sqlite3_stmt* s = remove_.get();
  ResetGuard g{s};
  sqlite3_bind_int64(s, 1, address.value());
  if (sqlite3_step(s) != SQLITE_DONE) return fail(Errc::io, "lease database: " + error_text());
  return {};
}

Result<void> SqliteStore::apply(const std::vector<Write>& writes) {
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(Errc::io, "lease database: " + error_text());
  }
  for (const Write& w : writes) {
    auto r = w.remove ? remove(w.lease.address) : put(w.lease);
    if (!r) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return r;
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = error_text();
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(Errc::io, "lease database: " + why);
  }
  return {};
}

std::vector<Lease> SqliteStore::all() {
  sqlite3_stmt* s = all_.get();
  ResetGuard g{s};
  std::vector<Lease> out;
  while (sqlite3_step(s) == SQLITE_ROW) out.push_back(read_row(s));
  return out;
}

}  // namespace pxed::lease

#include "timeline/sqlite_events.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pxed::timeline {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  id       INTEGER PRIMARY KEY,   -- EventLog's id
  at_ms    INTEGER NOT NULL,      -- unix milliseconds
  mac      TEXT NOT NULL,         -- aa:bb:cc:dd:ee:ff, '' if unknown
  ip       TEXT NOT NULL,         -- dotted, '' if none
  protocol TEXT NOT NULL,
  stage    TEXT NOT NULL,
  outcome  TEXT NOT NULL,
  summary  TEXT NOT NULL,
  details  TEXT NOT NULL DEFAULT '{}'  -- JSON object of strings
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (at_ms);
CREATE INDEX IF NOT EXISTS events_by_mac ON events (mac, id);
)sql";

constexpr const char* kColumns = "id, at_ms, mac, ip, protocol, stage, outcome, summary, details";

// Resets a statement when the scope ends, so it never holds a read transaction open.
struct ResetGuard {
  sqlite3_stmt* s;
  ~ResetGuard() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

void bind_text(sqlite3_stmt* s, int i, const std::string& text) {
  sqlite3_bind_text(s, i, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::optional<Event> read_row(sqlite3_stmt* s) {
  Event e;
  e.id = sqlite3_column_int64(s, 0);
  e.at_ms = sqlite3_column_int64(s, 1);
  std::string mac = column_text(s, 2), ip = column_text(s, 3);
  if (!mac.empty()) {
    auto m = MacAddress::parse(mac);
    if (!m) return std::nullopt;
    e.mac = *m;
  }
  if (!ip.empty()) {
    auto a = Ipv4::parse(ip);
    if (!a) return std::nullopt;
    e.ip = *a;
  }
  auto protocol = protocol_from_string(column_text(s, 4));
  auto stage = stage_from_string(column_text(s, 5));
  auto outcome = outcome_from_string(column_text(s, 6));
  if (!protocol || !stage || !outcome) return std::nullopt;
  e.protocol = *protocol;
  e.stage = *stage;
  e.outcome = *outcome;
  e.summary = column_text(s, 7);
  auto details = nlohmann::json::parse(column_text(s, 8), nullptr, /*allow_exceptions=*/false);
  if (!details.is_object()) return std::nullopt;
  for (const auto& [key, value] : details.items()) {
    if (value.is_string()) e.details[key] = value.get<std::string>();
  }
  return e;
}

}  // namespace

void SqliteEvents::StmtDeleter::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

SqliteEvents::SqliteEvents(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open event database " + path + ": " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    // Events are not leases: a power cut may lose the last few, never corrupt the file (WAL).
    exec("PRAGMA synchronous=NORMAL");
    exec(kSchema);
    insert_ = prepare(
        "INSERT OR REPLACE INTO events (id, at_ms, mac, ip, protocol, stage, outcome, summary, "
        "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    recent_ = prepare((std::string("SELECT ") + kColumns + " FROM (SELECT " + kColumns +
                       " FROM events ORDER BY id DESC LIMIT ?) ORDER BY id")
                          .c_str());
    count_ = prepare("SELECT COUNT(*) FROM events");
    prune_age_ = prepare("DELETE FROM events WHERE at_ms < ?");
    prune_rows_ = prepare(
        "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)");
  } catch (...) {
    insert_.reset();
    recent_.reset();
    count_.reset();
    prune_age_.reset();
    prune_rows_.reset();
    sqlite3_close(db_);
    throw;
  }
}

SqliteEvents::~SqliteEvents() {
  insert_.reset();
  recent_.reset();
  count_.reset();
  prune_age_.reset();
  prune_rows_.reset();
  sqlite3_close(db_);
}

std::string SqliteEvents::error_text() const {
  return sqlite3_errmsg(db_);
}

void SqliteEvents::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("event database " + path_ + ": " + why);
  }
}

Result<void> SqliteEvents::run(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(Errc::io, "event database " + path_ + ": " + error_text());
  }
  return {};
}

SqliteEvents::Stmt SqliteEvents::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
    throw std::runtime_error("event database " + path_ + ": " + error_text());
  }
  return Stmt(s);
}

Result<void> SqliteEvents::append(const std::vector<Event>& batch) {
  if (batch.empty()) return {};
  std::lock_guard lock(mutex_);
  if (auto r = run("BEGIN IMMEDIATE"); !r) return r;
  sqlite3_stmt* s = insert_.get();
  for (const Event& e : batch) {
    ResetGuard g{s};
    sqlite3_bind_int64(s, 1, e.id);
    sqlite3_bind_int64(s, 2, e.at_ms);
    bind_text(s, 3, e.mac == MacAddress() ? std::string() : e.mac.to_string());
    bind_text(s, 4, e.ip.is_zero() ? std::string() : e.ip.to_string());
    bind_text(s, 5, std::string(to_string(e.protocol)));
    bind_text(s, 6, std::string(to_string(e.stage)));
    bind_text(s, 7, std::string(to_string(e.outcome)));
    bind_text(s, 8, e.summary);
    // Replace, not throw, on bytes that are not UTF-8 (a client-supplied file name).
    bind_text(
        s, 9,
        nlohmann::json(e.details).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (sqlite3_step(s) != SQLITE_DONE) {
      std::string why = error_text();
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return fail(Errc::io, "event database " + path_ + ": " + why);
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = error_text();
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail(Errc::io, "event database " + path_ + ": " + why);
  }
  return {};
}

Result<std::vector<Event>> SqliteEvents::load_recent(std::size_t limit) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = recent_.get();
  ResetGuard g{s};
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<sqlite3_int64>::max());
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(std::min(limit, kMax)));
  std::vector<Event> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (auto e = read_row(s)) out.push_back(std::move(*e));
  }
  if (rc != SQLITE_DONE) return fail(Errc::io, "event database " + path_ + ": " + error_text());
  return out;
}

Result<std::size_t> SqliteEvents::count() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = count_.get();
  ResetGuard g{s};
  if (sqlite3_step(s) != SQLITE_ROW) {
    return fail(Errc::io, "event database " + path_ + ": " + error_text());
  }
  return static_cast<std::size_t>(sqlite3_column_int64(s, 0));
}

Result<std::size_t> SqliteEvents::prune(std::int64_t now_ms, std::int64_t max_age_ms,
                                        std::size_t max_rows) {
  std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  auto step = [&](sqlite3_stmt* s) -> Result<void> {
    if (sqlite3_step(s) != SQLITE_DONE) {
      return fail(Errc::io, "event database " + path_ + ": " + error_text());
    }
    removed += static_cast<std::size_t>(sqlite3_changes(db_));
    return {};
  };
  if (max_age_ms > 0) {
    sqlite3_stmt* s = prune_age_.get();
    ResetGuard g{s};
    sqlite3_bind_int64(s, 1, now_ms - max_age_ms);
    if (auto r = step(s); !r) return tl::unexpected(r.error());
  }
  if (max_rows > 0) {
    sqlite3_stmt* s = prune_rows_.get();
    ResetGuard g{s};
    sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(max_rows));
    if (auto r = step(s); !r) return tl::unexpected(r.error());
  }
  return removed;
}

}  // namespace pxed::timeline

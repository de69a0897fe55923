// The boot timeline on disk: table `events` in the lease database file, so the timeline survives
// a restart. Written from one thread (EventWriter's); the mutex only guards against misuse.
//
//   events (id INTEGER PRIMARY KEY, at_ms INTEGER, mac TEXT, ip TEXT, protocol TEXT, stage TEXT,
//           outcome TEXT, summary TEXT, details TEXT -- a JSON object of strings)
//
// mac is "aa:bb:cc:dd:ee:ff" ("" when unknown), ip dotted ("" when none); protocol, stage and
// outcome are the names to_string() gives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "timeline/event.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pxed::timeline {

// Where EventWriter puts events; SqliteEvents in the daemon, a fake in tests.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Result<void> append(const std::vector<Event>& batch) = 0;
  // Deletes events older than now_ms - max_age_ms (0: no age limit), then all but the newest
  // max_rows (0: no row limit). Returns how many rows went.
  virtual Result<std::size_t> prune(std::int64_t now_ms, std::int64_t max_age_ms,
                                    std::size_t max_rows) = 0;
};

class SqliteEvents final : public EventSink {
 public:
  // Opens or creates the database and the table; throws std::runtime_error naming the path.
  explicit SqliteEvents(const std::string& path);
  ~SqliteEvents() override;
  SqliteEvents(const SqliteEvents&) = delete;
  SqliteEvents& operator=(const SqliteEvents&) = delete;

  // Stores every event of the batch (by its id, replacing a row with the same id) in one
  // transaction: all or nothing.
  Result<void> append(const std::vector<Event>& batch) override;
  Result<std::size_t> prune(std::int64_t now_ms, std::int64_t max_age_ms,
                            std::size_t max_rows) override;

  // The newest `limit` events, oldest first, for EventLog::restore at start. A row that cannot be
  // read back (unknown stage name, bad JSON) is skipped, not fatal.
  Result<std::vector<Event>> load_recent(std::size_t limit);
  Result<std::size_t> count();

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const;
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

  Stmt prepare(const char* sql);
  void exec(const char* sql);
  Result<void> run(const char* sql);  // under mutex_
  std::string error_text() const;

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  Stmt insert_, recent_, count_, prune_age_, prune_rows_;
};

}  // namespace pxed::timeline

// SQLite lease store: the embedded default. WAL journal with synchronous=FULL, so a lease is on
// disk when put() returns and a kill -9 right after an ACK loses nothing.
#pragma once

#include <memory>
#include <string>

#include "lease/lease.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pxed::lease {

class SqliteStore final : public LeaseStore {
 public:
  // Opens or creates the database; throws std::runtime_error naming the path and the reason.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::optional<Lease> by_address(Ipv4 address) override;
  std::optional<Lease> by_client(const std::string& client_key) override;
  Result<void> put(const Lease& lease) override;
  Result<void> remove(Ipv4 address) override;
  std::vector<Lease> all() override;

  // One write of a batch: a lease to put, or an address to remove.
  struct Write {
    Lease lease;
    bool remove = false;
  };
  // Applies every write in one transaction: one fsync for the whole batch (group commit).
  Result<void> apply(const std::vector<Write>& writes);

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const;
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

  Stmt prepare(const char* sql);
  void exec(const char* sql);
  std::string error_text() const;

  std::string path_;
  sqlite3* db_ = nullptr;
  std::int64_t seq_ = 0;
  Stmt by_address_, by_client_, put_, remove_, all_;
};

}  // namespace pxed::lease

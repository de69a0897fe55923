// Group commit: lease writes are queued and a writer thread applies whatever has queued up in one
// SQLite transaction, so a burst of a thousand ACKs costs one fsync instead of a thousand. Each
// write gets a ticket; `on_durable(ticket)` reports, from the writer thread, that every write up
// to that ticket is on disk. The DHCP loop sends an ACK only once its lease's ticket is durable,
// so durability is the same as writing synchronously, without the loop ever waiting on the disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "lease/memory_store.h"
#include "lease/sqlite_store.h"

namespace pxed::lease {

class GroupCommitWriter {
 public:
  // Called on the writer thread after each batch: `durable` is the highest ticket on disk, or,
  // when ok is false, the batch up to that ticket failed and was not stored.
  using Callback = std::function<void(std::uint64_t ticket, bool ok, const std::string& error)>;

  GroupCommitWriter(SqliteStore& store, Callback on_batch, std::size_t max_batch = 4096);
  ~GroupCommitWriter();  // writes what is queued, then stops
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  std::uint64_t enqueue(SqliteStore::Write write);  // returns the write's ticket

 private:
  void run();

  SqliteStore& store_;
  Callback on_batch_;
  std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<SqliteStore::Write> queue_;
  std::uint64_t next_ticket_ = 0;  // ticket of the last queued write
  bool stopping_ = false;
  std::thread thread_;
};

// The store the DHCP logic uses when leases are written by a GroupCommitWriter: reads and writes
// go to memory at once, writes are queued for the disk and numbered.
class GroupCommitStore final : public LeaseStore {
 public:
  // Loads what `durable` holds; `writer` must write to the same store and outlive this object.
  GroupCommitStore(SqliteStore& durable, GroupCommitWriter& writer);

  std::optional<Lease> by_address(Ipv4 address) override { return memory_.by_address(address); }
  std::optional<Lease> by_client(const std::string& key) override { return memory_.by_client(key); }
  Result<void> put(const Lease& lease) override;
  Result<void> remove(Ipv4 address) override;
  std::vector<Lease> all() override { return memory_.all(); }
  std::uint64_t last_write_ticket() const override { return last_ticket_; }

 private:
  GroupCommitWriter& writer_;
  MemoryStore memory_;
  std::uint64_t last_ticket_ = 0;
};

}  // namespace pxed::lease

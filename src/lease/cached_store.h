// Keeps every lease in memory in front of a durable store: reads never touch the disk, writes go
// to the durable store first and reach memory only once stored, so the packet loop never waits
// on a database read and memory never claims what the disk does not have.
#pragma once

#include "lease/lease.h"
#include "lease/memory_store.h"

namespace pxed::lease {

class CachedStore final : public LeaseStore {
 public:
  // Loads everything `durable` holds. `durable` must outlive this object.
  explicit CachedStore(LeaseStore& durable);

  std::optional<Lease> by_address(Ipv4 address) override { return memory_.by_address(address); }
  std::optional<Lease> by_client(const std::string& key) override { return memory_.by_client(key); }
  Result<void> put(const Lease& lease) override;
  Result<void> remove(Ipv4 address) override;
  std::vector<Lease> all() override { return memory_.all(); }

 private:
  LeaseStore& durable_;
  MemoryStore memory_;
};

}  // namespace pxed::lease

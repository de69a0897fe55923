// In-memory lease store, for tests and for running without persistence.
#pragma once

#include <map>

#include "lease/lease.h"

namespace pxed::lease {

class MemoryStore final : public LeaseStore {
 public:
  std::optional<Lease> by_address(Ipv4 address) override;
  std::optional<Lease> by_client(const std::string& client_key) override;
  Result<void> put(const Lease& lease) override;
  Result<void> remove(Ipv4 address) override;
  std::vector<Lease> all() override;

  // Copies every lease of another store, keeping each client's latest lease as its own.
  void load_from(LeaseStore& other);

 private:
  std::map<Ipv4, Lease> by_address_;
  std::map<std::string, Ipv4> by_client_;  // most recent address written for a client
};

}  // namespace pxed::lease

// A DHCP lease and the store that keeps them. Time is seconds since the Unix epoch, passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/net_types.h"
#include "core/result.h"

namespace pxed::lease {

struct Lease {
  Ipv4 address;
  std::string client_key;  // dhcp::client_key(): "hw:..." or "id:..."
  MacAddress mac;
  std::string hostname;
  std::int64_t expires_at = 0;  // unix seconds; a lease at or past it is free for others

  bool active(std::int64_t now) const { return expires_at > now; }
  bool operator==(const Lease&) const = default;
};

// Every backend passes the same conformance suite (tests/unit/lease/lease_store_test.cc).
class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  virtual std::optional<Lease> by_address(Ipv4 address) = 0;
  // The client's most recently written lease, active or not.
  virtual std::optional<Lease> by_client(const std::string& client_key) = 0;
  // Inserts or replaces the lease for lease.address. Durable when it returns.
  virtual Result<void> put(const Lease& lease) = 0;
  virtual Result<void> remove(Ipv4 address) = 0;
  virtual std::vector<Lease> all() = 0;

  // Stores that make writes durable in the background (group commit) number them: a reply that
  // promises a write (a DHCPACK) must wait until durable_ticket() has reached the ticket of that
  // write. Synchronous stores are durable on return and answer 0.
  virtual std::uint64_t last_write_ticket() const { return 0; }
};

}  // namespace pxed::lease

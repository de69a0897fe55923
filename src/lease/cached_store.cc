#include "lease/cached_store.h"

namespace pxed::lease {

CachedStore::CachedStore(LeaseStore& durable) : durable_(durable) {
  // all() lists by address; by_client must name a client's latest write, which is the
  // durable store's answer, so replay those last.
  std::vector<Lease> leases = durable_.all();
  for (const Lease& l : leases) (void)memory_.put(l);
  for (const Lease& l : leases) {
    if (auto latest = durable_.by_client(l.client_key)) (void)memory_.put(*latest);
  }
}

Result<void> CachedStore::put(const Lease& lease) {
  if (auto r = durable_.put(lease); !r) return r;
  return memory_.put(lease);
}

Result<void> CachedStore::remove(Ipv4 address) {
  if (auto r = durable_.remove(address); !r) return r;
  return memory_.remove(address);
}

}  // namespace pxed::lease

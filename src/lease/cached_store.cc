#include "lease/cached_store.h"

namespace pxed::lease {

CachedStore::CachedStore(LeaseStore& durable) : durable_(durable) {
  memory_.load_from(durable_);
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

#include "lease/memory_store.h"

namespace pxed::lease {

std::optional<Lease> MemoryStore::by_address(Ipv4 address) {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return std::nullopt;
  return it->second;
}

std::optional<Lease> MemoryStore::by_client(const std::string& client_key) {
  auto it = by_client_.find(client_key);
  if (it == by_client_.end()) return std::nullopt;
  auto lease = by_address(it->second);
  if (!lease || lease->client_key != client_key) return std::nullopt;
  return lease;
}

Result<void> MemoryStore::put(const Lease& lease) {
  by_address_[lease.address] = lease;
  by_client_[lease.client_key] = lease.address;
  return {};
}

Result<void> MemoryStore::remove(Ipv4 address) {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return {};
  auto c = by_client_.find(it->second.client_key);
  if (c != by_client_.end() && c->second == address) by_client_.erase(c);
  by_address_.erase(it);
  return {};
}

std::vector<Lease> MemoryStore::all() {
  std::vector<Lease> out;
  out.reserve(by_address_.size());
  for (const auto& [addr, lease] : by_address_) out.push_back(lease);
  return out;
}

void MemoryStore::load_from(LeaseStore& other) {
  // all() lists by address; by_client must name a client's latest write, which is the other
  // store's answer, so replay those last.
  std::vector<Lease> leases = other.all();
  for (const Lease& l : leases) (void)put(l);
  for (const Lease& l : leases) {
    if (auto latest = other.by_client(l.client_key)) (void)put(*latest);
  }
}

}  // namespace pxed::lease

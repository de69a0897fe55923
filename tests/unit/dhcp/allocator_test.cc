#include "dhcp/allocator.h"

#include <set>

#include <gtest/gtest.h>

namespace pxed::dhcp {
namespace {

Ipv4 ip(const char* s) {
  return *Ipv4::parse(s);
}

TEST(Allocator, WalksPoolsSkippingExclusionsAndReservations) {
  Allocator a({{ip("10.0.0.1"), ip("10.0.0.3")}, {ip("10.0.1.1"), ip("10.0.1.2")}},
              {{ip("10.0.0.2"), ip("10.0.0.2")}}, {ip("10.0.1.1")});
  std::set<Ipv4> taken;
  auto free = [&](Ipv4 x) { return !taken.contains(x); };
  std::vector<std::string> got;
  while (auto next = a.next_free(free)) {
    got.push_back(next->to_string());
    taken.insert(*next);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"10.0.0.1", "10.0.0.3", "10.0.1.2"}));
  EXPECT_EQ(a.capacity(), 5u);
  EXPECT_TRUE(a.dynamic(ip("10.0.0.3")));
  EXPECT_FALSE(a.dynamic(ip("10.0.0.2")));
  EXPECT_FALSE(a.dynamic(ip("10.0.1.1")));
  EXPECT_FALSE(a.dynamic(ip("10.0.2.1")));
}

TEST(Allocator, WrapsAroundToReuseFreedAddresses) {
  Allocator a({{ip("10.0.0.1"), ip("10.0.0.3")}}, {}, {});
  std::set<Ipv4> taken;
  auto free = [&](Ipv4 x) { return !taken.contains(x); };
  for (int i = 0; i < 3; ++i) taken.insert(*a.next_free(free));
  EXPECT_FALSE(a.next_free(free));
  taken.erase(ip("10.0.0.2"));
  EXPECT_EQ(a.next_free(free), ip("10.0.0.2"));
}

TEST(Allocator, LargePoolCostsFewProbesPerAddress) {
  Allocator a({{ip("10.0.0.0"), ip("10.1.255.255")}}, {}, {});  // 131,072 addresses
  std::set<Ipv4> taken;
  std::uint64_t probes = 0;
  auto free = [&](Ipv4 x) {
    ++probes;
    return !taken.contains(x);
  };
  for (int i = 0; i < 20000; ++i) taken.insert(*a.next_free(free));
  EXPECT_EQ(probes, 20000u) << "each allocation should probe exactly one address";
}

}  // namespace
}  // namespace pxed::dhcp

#include "dhcp/conflict_probe.h"

#include <gtest/gtest.h>

namespace pxed::dhcp {
namespace {

using namespace std::chrono_literals;
using Clock = ConflictProbes::Clock;

const Ipv4 kAddr = *Ipv4::parse("198.18.0.100");
const MacAddress kClient({0x52, 0x54, 0, 0, 0, 1});
const MacAddress kSquatter({0x02, 0xaa, 0, 0, 0, 2});
const Clock::time_point t0{std::chrono::hours(1)};

TEST(ConflictProbes, AnotherHostAnsweringIsAConflictOnce) {
  ConflictProbes p(1s);
  EXPECT_TRUE(p.start(kAddr, "vs", kClient, t0));
  auto c = p.on_arp("vs", kAddr, kSquatter, t0 + 10ms);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, kAddr);
  EXPECT_EQ(c->owner, kSquatter);
  EXPECT_EQ(c->client, kClient);
  // Reported once: a second answer to the same probe is not a second conflict.
  EXPECT_FALSE(p.on_arp("vs", kAddr, kSquatter, t0 + 20ms));
}

TEST(ConflictProbes, TheClientItselfIsNoConflict) {
  ConflictProbes p(1s);
  p.start(kAddr, "vs", kClient, t0);
  EXPECT_FALSE(p.on_arp("vs", kAddr, kClient, t0 + 10ms));
}

TEST(ConflictProbes, OnlyTheProbedAddressOnTheProbedLinkWithinTheWindow) {
  ConflictProbes p(1s);
  p.start(kAddr, "vs", kClient, t0);
  EXPECT_FALSE(p.on_arp("vs", *Ipv4::parse("198.18.0.101"), kSquatter, t0 + 10ms));
  EXPECT_FALSE(p.on_arp("vs2", kAddr, kSquatter, t0 + 10ms));
  EXPECT_FALSE(p.on_arp("vs", kAddr, kSquatter, t0 + 1s));  // too late: the probe is over
  EXPECT_EQ(p.pending(), 0u);
}

TEST(ConflictProbes, ARetriedOfferIsNotProbedTwiceButALaterOneIs) {
  ConflictProbes p(1s);
  EXPECT_TRUE(p.start(kAddr, "vs", kClient, t0));
  EXPECT_FALSE(p.start(kAddr, "vs", kClient, t0 + 100ms));
  EXPECT_TRUE(p.start(kAddr, "vs", kSquatter, t0 + 200ms));  // offered to somebody else now
  EXPECT_TRUE(p.start(kAddr, "vs", kSquatter, t0 + 2s));     // the last probe is over
  EXPECT_EQ(p.pending(), 1u);
}

TEST(ConflictProbes, RunningSaysWhenTheWindowCloses) {
  ConflictProbes p(500ms);
  EXPECT_FALSE(p.running(kAddr, "vs", t0));
  p.start(kAddr, "vs", kClient, t0);
  EXPECT_EQ(p.running(kAddr, "vs", t0 + 1ms), t0 + 500ms);
  EXPECT_FALSE(p.running(kAddr, "vs2", t0 + 1ms));
  EXPECT_FALSE(p.running(kAddr, "vs", t0 + 500ms));
  p.start(*Ipv4::parse("198.18.0.101"), "vs", kClient, t0);
  ASSERT_TRUE(p.on_arp("vs", *Ipv4::parse("198.18.0.101"), kSquatter, t0 + 1ms));
  EXPECT_FALSE(p.running(*Ipv4::parse("198.18.0.101"), "vs", t0 + 2ms));  // answered: over
}

TEST(ConflictProbes, ExpiredProbesAreSwept) {
  ConflictProbes p(1s);
  for (std::uint32_t i = 0; i < 100; ++i) p.start(Ipv4(kAddr.value() + i), "vs", kClient, t0);
  EXPECT_EQ(p.pending(), 100u);
  p.start(*Ipv4::parse("198.18.1.1"), "vs", kClient, t0 + 5s);
  EXPECT_EQ(p.pending(), 1u);
}

}  // namespace
}  // namespace pxed::dhcp

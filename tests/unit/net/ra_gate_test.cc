#include "net/ra_gate.h"

#include <gtest/gtest.h>

namespace pxed::net {
namespace {

const MacAddress kBooting({0x52, 0x54, 0, 0xe2, 0xe0, 0x01});
const MacAddress kOther({0x52, 0x54, 0, 0xe2, 0xe0, 0x02});
// fe80::5054:ff:fee2:e001: the EUI-64 link-local address of kBooting.
const Ipv6Address kBootingLl = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                0x50, 0x54, 0, 0xff, 0xfe, 0xe2, 0xe0, 0x01};
const Ipv6Address kOtherLl = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                              0x50, 0x54, 0, 0xff, 0xfe, 0xe2, 0xe0, 0x02};
using V = RaGate::Verdict;

TEST(RaGate, ModesParseAndPrint) {
  EXPECT_EQ(parse_ra_mode("off"), RaMode::off);
  EXPECT_EQ(parse_ra_mode("pxe-clients"), RaMode::pxe_clients);
  EXPECT_EQ(parse_ra_mode("all"), RaMode::all);
  EXPECT_EQ(parse_ra_mode("yes"), std::nullopt);
  EXPECT_STREQ(to_string(RaMode::pxe_clients), "pxe-clients");
  EXPECT_EQ(RaGateConfig{}.mode, RaMode::pxe_clients);  // the default
}

TEST(RaGate, MacFromEui64LinkLocal) {
  EXPECT_EQ(mac_from_eui64(kBootingLl), kBooting);
  Ipv6Address stable_privacy = kBootingLl;
  stable_privacy[11] = 0x12;  // no ff:fe: the identifier was not made from a MAC
  EXPECT_EQ(mac_from_eui64(stable_privacy), std::nullopt);
  Ipv6Address global = kBootingLl;
  global[0] = 0x20;
  global[1] = 0x01;
  EXPECT_EQ(mac_from_eui64(global), std::nullopt);
}

TEST(RaGate, AllAnswersEveryoneAndOffNobody) {
  RaGate all({.mode = RaMode::all});
  EXPECT_EQ(all.solicitation("eth0", std::nullopt, kOtherLl, 0), V::answer);
  all.router_heard("eth0", 0);
  EXPECT_EQ(all.solicitation("eth0", kOther, kOtherLl, 1), V::answer);
  RaGate off({.mode = RaMode::off});
  off.pxe_client(kBooting, 0);
  EXPECT_EQ(off.solicitation("eth0", kBooting, kBootingLl, 1), V::not_booting);
}

TEST(RaGate, AnswersAMachineWhilePxeBootsIt) {
  RaGate g({.booting_ms = 300'000});
  EXPECT_TRUE(g.pxe_client(kBooting, 1'000).empty());
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 2'000), V::answer);
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 300'999), V::answer);
  // Its boot window is over: an operating system's solicitation later is not pxed's business.
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 301'000), V::hold);
  EXPECT_EQ(g.booting(), 0u);
}

TEST(RaGate, NoMacNoAnswer) {
  RaGate g;
  g.pxe_client(kBooting, 0);
  EXPECT_EQ(g.solicitation("eth0", std::nullopt, kBootingLl, 1), V::not_booting);
}

TEST(RaGate, SolicitationBeforeItsDhcpIsHeldThenAnswered) {
  RaGate g({.hold_ms = 5'000});
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 0), V::hold);
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 100), V::hold);  // a retry: held once
  EXPECT_EQ(g.solicitation("eth1", kOther, kOtherLl, 200), V::hold);
  EXPECT_EQ(g.held(), 2u);
  auto ready = g.pxe_client(kBooting, 300);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].link, "eth0");
  EXPECT_EQ(ready[0].source, kBootingLl);
  EXPECT_EQ(ready[0].mac, kBooting);
  EXPECT_EQ(g.held(), 1u);
  // kOther's DHCP comes too late: its held solicitation expired (it solicits again anyway).
  EXPECT_TRUE(g.pxe_client(kOther, 5'200).empty());
  EXPECT_EQ(g.held(), 0u);
}

TEST(RaGate, SilentWhereARouterAdvertises) {
  RaGate g({.router_quiet_ms = 1'800'000});
  g.pxe_client(kBooting, 0);
  EXPECT_TRUE(g.router_heard("eth0", 10));
  EXPECT_FALSE(g.router_heard("eth0", 20));  // the same router again: already known
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 30), V::router_present);
  EXPECT_EQ(g.solicitation("eth1", kBooting, kBootingLl, 30), V::answer);  // another link
  // The router has been quiet for 30 minutes: gone. (The machine boots again.)
  g.pxe_client(kBooting, 1'800'000);
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 1'800'020), V::answer);
  EXPECT_TRUE(g.router_heard("eth0", 1'900'000));
}

TEST(RaGate, ARepeatedSolicitationGetsANewDeadline) {
  RaGate g({.hold_ms = 5'000});
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 0), V::hold);
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 4'000), V::hold);
  EXPECT_EQ(g.held(), 1u);
  EXPECT_EQ(g.pxe_client(kBooting, 8'000).size(), 1u);  // 8 s after the first, 4 s after the last
}

TEST(RaGate, HeldSolicitationIsDroppedIfARouterShowsUpMeanwhile) {
  RaGate g;
  EXPECT_EQ(g.solicitation("eth0", kBooting, kBootingLl, 0), V::hold);
  g.router_heard("eth0", 50);
  EXPECT_TRUE(g.pxe_client(kBooting, 100).empty());
  EXPECT_EQ(g.held(), 0u);
}

TEST(RaGate, Bounded) {
  RaGate g({.capacity = 3});
  for (std::uint8_t i = 0; i < 10; ++i) {
    const MacAddress m({2, 0, 0, 0, 0, i});
    Ipv6Address ll = kBootingLl;
    ll[15] = i;
    g.solicitation("eth0", m, ll, i);
    g.pxe_client(MacAddress({4, 0, 0, 0, 0, i}), i);
  }
  EXPECT_EQ(g.held(), 3u);
  EXPECT_EQ(g.booting(), 3u);
  // The newest stay.
  EXPECT_EQ(g.solicitation("eth0", MacAddress({4, 0, 0, 0, 0, 9}), kOtherLl, 20), V::answer);
  EXPECT_EQ(g.solicitation("eth0", MacAddress({4, 0, 0, 0, 0, 0}), kOtherLl, 20), V::hold);
}

}  // namespace
}  // namespace pxed::net

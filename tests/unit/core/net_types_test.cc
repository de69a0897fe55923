#include "core/net_types.h"

#include <gtest/gtest.h>

namespace pxed {
namespace {

TEST(Ipv4, ParsesAndFormats) {
  auto ip = Ipv4::parse("198.18.0.1");
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->value(), 0xc6120001u);
  EXPECT_EQ(ip->to_string(), "198.18.0.1");
}

TEST(Ipv4, RejectsBadText) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.4 ", "0001.2.3.4"}) {
    EXPECT_FALSE(Ipv4::parse(bad)) << bad;
  }
}

TEST(Ipv4Network, ContainsAndBroadcast) {
  Ipv4Network n{*Ipv4::parse("198.18.0.1"), *Ipv4::parse("255.255.255.0")};
  EXPECT_TRUE(n.contains(*Ipv4::parse("198.18.0.200")));
  EXPECT_FALSE(n.contains(*Ipv4::parse("198.18.1.2")));
  EXPECT_EQ(n.broadcast().to_string(), "198.18.0.255");
  EXPECT_EQ(n.network().to_string(), "198.18.0.0");
}

TEST(MacAddress, ParsesBothSeparators) {
  auto a = MacAddress::parse("52:54:00:e2:e0:01");
  auto b = MacAddress::parse("52-54-00-E2-E0-01");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->to_string(), "52:54:00:e2:e0:01");
  EXPECT_EQ(a->to_string('-'), "52-54-00-e2-e0-01");
  EXPECT_FALSE(MacAddress::parse("52:54:00:e2:e0"));
  EXPECT_FALSE(MacAddress::parse("52:54:00:e2:e0:0g"));
}

}  // namespace
}  // namespace pxed

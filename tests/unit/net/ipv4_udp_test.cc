#include "net/ipv4_udp.h"

#include <gtest/gtest.h>

namespace pxed::net {
namespace {

TEST(Ipv4Udp, HeadersAreWellFormedAndChecksumsVerify) {
  const std::uint8_t payload[] = {1, 2, 3, 4, 5};
  UdpEndpoints ep{*Ipv4::parse("198.18.0.1"), 67, *Ipv4::parse("198.18.0.100"), 68};
  Bytes d = build_ipv4_udp(ep, payload);
  ASSERT_EQ(d.size(), 20u + 8u + 5u);
  EXPECT_EQ(d[0], 0x45);
  EXPECT_EQ((d[2] << 8) | d[3], 33);
  EXPECT_EQ(d[9], 17);
  EXPECT_EQ(Ipv4::from(ByteView(d.data() + 12, 4)), ep.src_ip);
  EXPECT_EQ(Ipv4::from(ByteView(d.data() + 16, 4)), ep.dst_ip);
  // A correct header sums to zero.
  EXPECT_EQ(internet_checksum(ByteView(d.data(), 20)), 0);
  EXPECT_EQ((d[20] << 8) | d[21], 67);
  EXPECT_EQ((d[22] << 8) | d[23], 68);
  EXPECT_EQ((d[24] << 8) | d[25], 13);
  // UDP: pseudo-header + datagram sums to zero too.
  std::uint32_t pseudo = 0xc612 + 0x0001 + 0xc612 + 0x0064 + 17 + 13;
  EXPECT_EQ(internet_checksum(ByteView(d.data() + 20, 13), pseudo), 0);
}

TEST(InternetChecksum, Rfc1071Example) {
  // RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 -> sum ddf2, checksum 220d.
  const std::uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(data), 0x220d);
}

}  // namespace
}  // namespace pxed::net

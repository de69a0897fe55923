#include "net/arp.h"

#include <gtest/gtest.h>

namespace pxed::net {
namespace {

const MacAddress kOurs({0x02, 0, 0, 0, 0, 1});
const MacAddress kTheirs({0x52, 0x54, 0, 0x12, 0x34, 0x56});

TEST(Arp, ProbeHasTheRfc5227Layout) {
  Bytes b = encode_arp(arp_probe(kOurs, *Ipv4::parse("198.18.0.100")));
  const Bytes want = {0, 1, 8, 0, 6, 4, 0, 1,                 // Ethernet, IPv4, request
                      0x02, 0, 0, 0, 0, 1, 0, 0, 0, 0,         // sender: our MAC, 0.0.0.0
                      0, 0, 0, 0, 0, 0, 198, 18, 0, 100};      // target: unknown MAC, the address
  EXPECT_EQ(b, want);
}

TEST(Arp, ReplyRoundTripsAndPaddingIsIgnored) {
  ArpPacket reply{ArpPacket::kReply, kTheirs, *Ipv4::parse("198.18.0.100"), kOurs, Ipv4::any()};
  Bytes b = encode_arp(reply);
  b.resize(46, 0);  // minimum Ethernet payload, as received
  auto d = decode_arp(b);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, reply);
}

TEST(Arp, RejectsWhatIsNotEthernetIpv4ArpRequestOrReply) {
  Bytes good = encode_arp(arp_probe(kOurs, *Ipv4::parse("198.18.0.100")));
  ASSERT_TRUE(decode_arp(good));
  EXPECT_FALSE(decode_arp(ByteView(good.data(), 27)));  // short
  for (std::size_t at : {1u, 2u, 4u, 5u, 7u}) {         // htype, ptype, hlen, plen, op
    Bytes bad = good;
    bad[at] ^= 0x40;
    EXPECT_FALSE(decode_arp(bad)) << "byte " << at;
  }
}

}  // namespace
}  // namespace pxed::net

#include "net/router_advert.h"

#include <gtest/gtest.h>

namespace pxed::net {
namespace {

const MacAddress kOurs({0x02, 0, 0, 0, 0, 1});
const MacAddress kIpxe({0x52, 0x54, 0, 0xe2, 0xe0, 0x01});
// fe80::5054:ff:fee2:e001, the link-local address iPXE derives from 52:54:00:e2:e0:01.
const Ipv6Address kIpxeLinkLocal = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                    0x50, 0x54, 0, 0xff, 0xfe, 0xe2, 0xe0, 0x01};
const Ipv6Address kUnspecified{};

// What iPXE sends: type 133, code 0, checksum, reserved, source link-layer address option.
const Bytes kIpxeSolicitation = {133, 0, 0x12, 0x34, 0, 0, 0, 0,  //
                                 1, 1, 0x52, 0x54, 0, 0xe2, 0xe0, 0x01};

TEST(RouterAdvert, MinimalAdvertisementHasTheExactLayout) {
  Bytes b = encode_router_advertisement(minimal_router_advertisement(kOurs));
  const Bytes want = {134, 0, 0, 0,            // type, code, checksum (the kernel's)
                      0, 0x00, 0, 0,           // cur hop limit 0, M=0 O=0, router lifetime 0
                      0, 0, 0, 0,              // reachable time: unspecified
                      0, 0, 0, 0,              // retrans timer: unspecified
                      1, 1, 0x02, 0, 0, 0, 0, 1};  // source link-layer address: our MAC
  EXPECT_EQ(b, want);
}

TEST(RouterAdvert, FieldsAndFlagsGoWhereRfc4861Says) {
  RouterAdvertisement ra;
  ra.cur_hop_limit = 64;
  ra.managed = true;
  ra.other = true;
  ra.router_lifetime = 1800;
  ra.reachable_time = 30000;
  ra.retrans_timer = 1000;
  const Bytes want = {134, 0, 0, 0, 64, 0xc0, 0x07, 0x08,
                      0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8};  // no option without a MAC
  EXPECT_EQ(encode_router_advertisement(ra), want);
  ra.other = false;
  EXPECT_EQ(encode_router_advertisement(ra)[5], 0x80);
}

TEST(RouterAdvert, DecodesIpxesSolicitation) {
  auto rs = decode_router_solicitation(kIpxeSolicitation, kIpxeLinkLocal, 255);
  ASSERT_TRUE(rs) << rs.error().message;
  ASSERT_TRUE(rs->source_mac);
  EXPECT_EQ(*rs->source_mac, kIpxe);
}

TEST(RouterAdvert, SolicitationWithoutOptionsFromTheUnspecifiedAddress) {
  const Bytes bare = {133, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};  // reserved bytes are ignored
  auto rs = decode_router_solicitation(bare, kUnspecified, 255);
  ASSERT_TRUE(rs) << rs.error().message;
  EXPECT_FALSE(rs->source_mac);
}

TEST(RouterAdvert, UnknownOptionsAreSkipped) {
  Bytes b = {133, 0, 0, 0, 0, 0, 0, 0,
             99, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,  // 16-byte unknown option
             1, 1, 0x52, 0x54, 0, 0xe2, 0xe0, 0x01};
  auto rs = decode_router_solicitation(b, kIpxeLinkLocal, 255);
  ASSERT_TRUE(rs) << rs.error().message;
  EXPECT_EQ(rs->source_mac, kIpxe);
}

TEST(RouterAdvert, RejectsWithAReason) {
  struct Case {
    const char* name;
    Bytes bytes;
    Ipv6Address source;
    int hop_limit;
    const char* reason;  // a piece of the message
  };
  const Ipv6Address multicast = kAllNodes;
  const std::vector<Case> cases = {
      {"hop limit", kIpxeSolicitation, kIpxeLinkLocal, 64, "hop limit 64"},
      {"short", Bytes{133, 0, 0, 0, 0, 0, 0}, kIpxeLinkLocal, 255, "7 bytes"},
      {"empty", Bytes{}, kIpxeLinkLocal, 255, "0 bytes"},
      {"type", Bytes{134, 0, 0, 0, 0, 0, 0, 0}, kIpxeLinkLocal, 255, "type 134"},
      {"code", Bytes{133, 1, 0, 0, 0, 0, 0, 0}, kIpxeLinkLocal, 255, "code 1"},
      {"zero-length option", Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
       kIpxeLinkLocal, 255, "length 0"},
      {"option past the end", Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0},
       kIpxeLinkLocal, 255, "says 16 bytes, 8 remain"},
      {"lone option byte", Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1}, kIpxeLinkLocal, 255,
       "cut short at byte 8"},
      {"not Ethernet", Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                             12, 13, 14},
       kIpxeLinkLocal, 255, "not an Ethernet address"},
      {"two addresses", Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6, 1, 1, 1, 2, 3, 4,
                              5, 6},
       kIpxeLinkLocal, 255, "two source link-layer"},
      {"address from ::", kIpxeSolicitation, kUnspecified, 255, "unspecified address"},
      {"multicast source", kIpxeSolicitation, multicast, 255, "multicast source"},
  };
  for (const Case& c : cases) {
    auto rs = decode_router_solicitation(c.bytes, c.source, c.hop_limit);
    ASSERT_FALSE(rs) << c.name;
    EXPECT_NE(rs.error().message.find(c.reason), std::string::npos)
        << c.name << ": " << rs.error().message;
  }
}

TEST(RouterAdvert, AnswersTheSolicitorOrAllNodes) {
  EXPECT_EQ(advertisement_destination(kIpxeLinkLocal), kIpxeLinkLocal);
  EXPECT_EQ(advertisement_destination(kUnspecified), kAllNodes);
  Ipv6Address global = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(advertisement_destination(global), kAllNodes);
}

TEST(RouterAdvert, AddressesPrintAndClassify) {
  EXPECT_EQ(ipv6_to_string(kIpxeLinkLocal), "fe80::5054:ff:fee2:e001");
  EXPECT_EQ(ipv6_to_string(kAllRouters), "ff02::2");
  EXPECT_TRUE(is_link_local(kIpxeLinkLocal));
  EXPECT_FALSE(is_link_local(kAllNodes));
  EXPECT_TRUE(is_multicast(kAllNodes));
  EXPECT_TRUE(is_unspecified(kUnspecified));
  EXPECT_FALSE(is_unspecified(kIpxeLinkLocal));
}

TEST(RouterAdvert, DecodesAnotherRoutersAdvertisement) {
  RouterAdvertisement sent;
  sent.cur_hop_limit = 64;
  sent.managed = true;
  sent.router_lifetime = 1800;
  sent.source_mac = kOurs;
  Bytes b = encode_router_advertisement(sent);
  // A prefix information option (type 3, 32 bytes) after the link-layer address: skipped.
  Bytes prefix(32, 0);
  prefix[0] = 3;
  prefix[1] = 4;
  b.insert(b.end(), prefix.begin(), prefix.end());
  auto ra = decode_router_advertisement(b, kIpxeLinkLocal, 255);
  ASSERT_TRUE(ra) << ra.error().message;
  EXPECT_EQ(ra->cur_hop_limit, 64);
  EXPECT_TRUE(ra->managed);
  EXPECT_FALSE(ra->other);
  EXPECT_EQ(ra->router_lifetime, 1800);
  EXPECT_EQ(ra->source_mac, kOurs);
}

TEST(RouterAdvert, RefusesAdvertisementsThatDidNotComeFromThisLink) {
  const Bytes b = encode_router_advertisement(minimal_router_advertisement(kOurs));
  auto far = decode_router_advertisement(b, kIpxeLinkLocal, 254);
  ASSERT_FALSE(far);
  EXPECT_NE(far.error().message.find("hop limit 254"), std::string::npos);
  Ipv6Address global = kIpxeLinkLocal;
  global[0] = 0x20;
  global[1] = 0x01;
  auto not_local = decode_router_advertisement(b, global, 255);
  ASSERT_FALSE(not_local);
  EXPECT_NE(not_local.error().message.find("not link-local"), std::string::npos);
  auto short_one = decode_router_advertisement(ByteView(b.data(), 12), kIpxeLinkLocal, 255);
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, Errc::truncated);
  Bytes solicitation = kIpxeSolicitation;
  solicitation.resize(16);
  auto wrong_type = decode_router_advertisement(solicitation, kIpxeLinkLocal, 255);
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("type 133"), std::string::npos);
  Bytes zero_option = encode_router_advertisement(minimal_router_advertisement(kOurs));
  zero_option[17] = 0;
  EXPECT_FALSE(decode_router_advertisement(zero_option, kIpxeLinkLocal, 255));
}

TEST(RouterAdvert, SolicitationWeSendDecodesAsOne) {
  const Bytes with_mac = encode_router_solicitation(kOurs);
  EXPECT_EQ(with_mac, (Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x02, 0, 0, 0, 0, 1}));
  auto rs = decode_router_solicitation(with_mac, kIpxeLinkLocal, 255);
  ASSERT_TRUE(rs) << rs.error().message;
  EXPECT_EQ(rs->source_mac, kOurs);
  EXPECT_EQ(encode_router_solicitation(std::nullopt), (Bytes{133, 0, 0, 0, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace pxed::net

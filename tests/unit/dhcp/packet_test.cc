#include "dhcp/packet.h"

#include <gtest/gtest.h>

#include "dhcp/client_info.h"
#include "test_packets.h"

namespace pxed::dhcp {
namespace {

using testing::ipxe_bios;
using testing::kQemuMac;
using testing::raw_request;
using testing::str_bytes;

TEST(DhcpDecode, IpxeBiosDiscover) {
  Bytes raw = ipxe_bios(1);
  auto p = decode(raw);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->op, kBootRequest);
  EXPECT_EQ(p->xid, 0x1234u);
  EXPECT_EQ(p->mac(), kQemuMac);
  EXPECT_FALSE(p->broadcast());
  EXPECT_EQ(p->message_type(), MessageType::discover);
  EXPECT_EQ(p->options.u16(opt::kMaxMessageSize), 1472);
  EXPECT_EQ(p->options.u16(opt::kClientArch), 0);
  EXPECT_EQ(p->options.string(opt::kVendorClass), "PXEClient:Arch:00000:UNDI:002001");
  ClientInfo c = classify(*p);
  EXPECT_TRUE(c.ipxe);
  EXPECT_EQ(c.arch, 0);
  EXPECT_EQ(c.firmware, FirmwareClass::pxe);
}

TEST(DhcpDecode, Edk2BroadcastFlagAndNoClientId) {
  Bytes uuid(17, 0);
  Bytes raw = raw_request(
      kQemuMac, 7, 0x8000,
      {{53, {1}},
       {57, {0x05, 0xc0}},
       {93, {0, 7}},
       {94, {1, 3, 0}},
       {60, str_bytes("PXEClient:Arch:00007:UNDI:003000")},
       {97, uuid},
       {55, {1,  2,  3,  4,  5,  6,  12, 13, 15, 17,  18,  22,  23,  28,  40,  41,  42, 43,
             50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135}}});
  auto p = decode(raw);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->broadcast());
  ClientInfo c = classify(*p);
  EXPECT_FALSE(c.ipxe);
  EXPECT_EQ(c.arch, 7);
  EXPECT_EQ(client_key(*p), "hw:52:54:00:e2:e0:01");
}

TEST(DhcpDecode, RejectsTruncatedHeader) {
  Bytes raw = ipxe_bios(1);
  raw.resize(200);
  auto p = decode(raw);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::truncated);
}

TEST(DhcpDecode, RejectsOptionRunningPastTheEnd) {
  Bytes raw = raw_request(kQemuMac, 1, 0, {{53, {1}}});
  raw.pop_back();  // END
  raw.push_back(60);
  raw.push_back(40);  // claims 40 bytes
  raw.push_back('P');
  auto p = decode(raw);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::malformed);
  EXPECT_NE(p.error().message.find("option 60"), std::string::npos) << p.error().message;
}

TEST(DhcpDecode, RejectsPlainBootp) {
  Bytes raw = raw_request(kQemuMac, 1, 0, {{53, {1}}});
  raw[236] = 0;
  EXPECT_EQ(decode(raw).error().code, Errc::unsupported);
}

TEST(DhcpDecode, RejectsHardwareLengthOver16) {
  Bytes raw = raw_request(kQemuMac, 1, 0, {{53, {1}}});
  raw[2] = 17;
  EXPECT_EQ(decode(raw).error().code, Errc::malformed);
}

TEST(DhcpDecode, JoinsRepeatedOptions) {
  Bytes raw =
      raw_request(kQemuMac, 1, 0, {{53, {1}}, {60, str_bytes("PXE")}, {60, str_bytes("Client")}});
  auto p = decode(raw);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->options.string(opt::kVendorClass), "PXEClient");
}

TEST(DhcpDecode, ReadsOptionsFromOverloadedFileField) {
  Bytes raw = raw_request(kQemuMac, 1, 0, {{53, {1}}, {52, {1}}});
  // file field starts at 108; put option 12 "pc1" + END there.
  const std::uint8_t opts[] = {12, 3, 'p', 'c', '1', 255};
  std::copy(std::begin(opts), std::end(opts), raw.begin() + 108);
  auto p = decode(raw);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->options.string(opt::kHostName), "pc1");
  EXPECT_TRUE(p->file.empty());
}

TEST(DhcpDecode, ToleratesMissingEndAndPadding) {
  Bytes raw = raw_request(kQemuMac, 1, 0, {{53, {3}}});
  raw.pop_back();  // no END
  raw.push_back(0);
  raw.push_back(0);
  auto p = decode(raw);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message_type(), MessageType::request);
}

TEST(DhcpEncode, RoundTripsAndPadsToBootpMinimum) {
  Packet p;
  p.op = kBootReply;
  p.xid = 0xdeadbeef;
  p.flags = kBroadcastFlag;
  p.yiaddr = *Ipv4::parse("198.18.0.100");
  p.siaddr = *Ipv4::parse("198.18.0.1");
  p.file = "pxelinux.0";
  std::copy(kQemuMac.bytes().begin(), kQemuMac.bytes().end(), p.chaddr.begin());
  p.options.set_ip(opt::kServerId, *Ipv4::parse("198.18.0.1"));
  p.options.set_u8(opt::kMessageType, 2);
  Bytes out = encode(p);
  EXPECT_EQ(out.size(), kBootpMinimumSize);
  EXPECT_EQ(out[240], opt::kMessageType) << "message type is written first";
  auto back = decode(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->xid, p.xid);
  EXPECT_EQ(back->yiaddr, p.yiaddr);
  EXPECT_EQ(back->file, "pxelinux.0");
  EXPECT_EQ(back->message_type(), MessageType::offer);
  EXPECT_EQ(back->options.ip(opt::kServerId), p.siaddr);
}

TEST(DhcpEncode, SplitsLongOptionsAndRejoinsThem) {
  Packet p;
  p.options.set_u8(opt::kMessageType, 5);
  std::string long_value(600, 'x');
  p.options.set_string(opt::kVendorSpecific, long_value);
  Bytes out = encode(p, 1472);
  auto back = decode(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->options.string(opt::kVendorSpecific), long_value);
}

TEST(DhcpEncode, LeavesOutWhatDoesNotFit) {
  Packet p;
  p.options.set_u8(opt::kMessageType, 5);
  p.options.set_string(opt::kMessage, std::string(250, 'a'));
  p.options.set_string(opt::kBootFileName, std::string(200, 'b'));
  Bytes out = encode(p, 576);
  EXPECT_LE(out.size(), 576u);
  auto back = decode(out);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->options.has(opt::kMessage));
  EXPECT_FALSE(back->options.has(opt::kBootFileName));
}

TEST(UserClass, MatchesBothEncodings) {
  EXPECT_TRUE(user_class_is_ipxe(str_bytes("iPXE")));
  Bytes rfc3004 = {4, 'i', 'P', 'X', 'E'};
  EXPECT_TRUE(user_class_is_ipxe(rfc3004));
  Bytes two = {3, 'a', 'b', 'c', 4, 'i', 'P', 'X', 'E'};
  EXPECT_TRUE(user_class_is_ipxe(two));
  EXPECT_FALSE(user_class_is_ipxe(str_bytes("gPXE")));
  Bytes bad = {9, 'i', 'P'};
  EXPECT_FALSE(user_class_is_ipxe(bad));
}

TEST(ClientKey, ClientIdOfTypeOnePlusMacIsTheMac) {
  Bytes id = {1, 0x52, 0x54, 0x00, 0xe2, 0xe0, 0x01};
  auto with_id = decode(raw_request(kQemuMac, 1, 0, {{53, {1}}, {61, id}}));
  auto without = decode(raw_request(kQemuMac, 1, 0, {{53, {1}}}));
  ASSERT_TRUE(with_id && without);
  EXPECT_EQ(client_key(*with_id), client_key(*without));
  Bytes other = {0, 'h', 'o', 's', 't'};
  auto opaque = decode(raw_request(kQemuMac, 1, 0, {{53, {1}}, {61, other}}));
  ASSERT_TRUE(opaque);
  EXPECT_EQ(client_key(*opaque), "id:00686f7374");
}

}  // namespace
}  // namespace pxed::dhcp

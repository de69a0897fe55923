#include "dhcp/proxy.h"

#include <gtest/gtest.h>

#include "test_packets.h"

namespace pxed::dhcp {
namespace {

using testing::ipxe_bios;
using testing::kQemuMac;
using testing::raw_request;
using testing::str_bytes;

Ipv4 ip(const char* s) {
  return *Ipv4::parse(s);
}

Bytes ip_bytes(const char* s) {
  auto b = ip(s).bytes();
  return Bytes(b.begin(), b.end());
}

Bytes uuid_option() {
  Bytes u = {0};
  for (std::uint8_t i = 1; i <= 16; ++i) u.push_back(i);
  return u;
}

// edk2 (OVMF) native PXE, x64: what it sends to port 4011 once the site server's ACK is in.
Bytes edk2_request(std::initializer_list<testing::RawOption> extra = {}) {
  std::vector<testing::RawOption> o = {
      {53, {3}},
      {57, {0xff, 0x00}},  // 65280
      {55, {1, 3, 6, 43, 60, 66, 67}},
      {97, uuid_option()},
      {94, {1, 3, 0}},
      {93, {0, 7}},
      {60, str_bytes("PXEClient:Arch:00007:UNDI:003000")},
  };
  o.insert(o.end(), extra);
  ByteWriter w;
  Bytes head = raw_request(kQemuMac, 0x0a0b0c0d, 0, {}, ip("198.18.0.150"));
  w.bytes(ByteView(head.data(), 240));
  for (const auto& opt : o) {
    w.u8(opt.code);
    w.u8(static_cast<std::uint8_t>(opt.value.size()));
    w.bytes(opt.value);
  }
  w.u8(255);
  return w.take();
}

class ProxyTest : public ::testing::Test {
 protected:
  ProxyTest() { rebuild(); }

  void rebuild(std::string ipxe_file = "") {
    boot::PolicyConfig pc;
    pc.server = ip("198.18.0.1");
    pc.ipxe_boot_file = std::move(ipxe_file);
    policy_ = std::make_unique<boot::Policy>(pc);
    proxy_ = std::make_unique<ProxyResponder>(*policy_);
  }

  Decision handle(const Bytes& raw, ProxyPort port = ProxyPort::dhcp,
                  Source from = Source{Ipv4(), 68}) {
    auto p = decode(raw);
    EXPECT_TRUE(p) << p.error().message;
    return proxy_->handle(*p, arrival_, port, from, 1000);
  }

  Arrival arrival_{"br0", ip("198.18.0.1")};
  std::unique_ptr<boot::Policy> policy_;
  std::unique_ptr<ProxyResponder> proxy_;
};

TEST_F(ProxyTest, BiosDiscoverGetsAProxyOfferWithTheBootFileAndNoAddress) {
  Decision d = handle(ipxe_bios(1));
  ASSERT_TRUE(d.reply) << d.exchange.note;
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::broadcast);
  EXPECT_EQ(d.reply->destination.port, 68);
  EXPECT_EQ(d.reply->max_size, 1472u);
  EXPECT_EQ(d.durable_ticket, 0u);
  EXPECT_FALSE(d.probe);

  Bytes wire = encode(d.reply->packet, d.reply->max_size);
  // Fixed header: BOOTREPLY, Ethernet, xid echoed, no ciaddr, NO yiaddr, siaddr = us.
  const Bytes header = {2,   1,  6, 0, 0x00, 0x00, 0x12, 0x34, 0, 0, 0, 0,  // op..flags
                        0,   0,  0, 0,                                      // ciaddr
                        0,   0,  0, 0,                                      // yiaddr
                        198, 18, 0, 1,                                      // siaddr
                        0,   0,  0, 0};                                     // giaddr
  EXPECT_EQ(Bytes(wire.begin(), wire.begin() + 28), header);
  EXPECT_EQ(Bytes(wire.begin() + 28, wire.begin() + 34),
            (Bytes{0x52, 0x54, 0x00, 0xe2, 0xe0, 0x01}));
  EXPECT_EQ(std::string(wire.begin() + 108, wire.begin() + 118), "pxelinux.0");
  EXPECT_EQ(wire[118], 0);
  // Options: 53 OFFER, 54 us, then in the order of the client's list (43, 60, 66, 67), then
  // the echoed UUID (97, not asked for).
  Bytes options = {
      0x63, 0x82, 0x53, 0x63,           // magic cookie
      53,   1,    2,                    // OFFER
      54,   4,    198,  18,   0, 1,     // server identifier
      43,   4,    6,    1,    8, 255};  // PXE_DISCOVERY_CONTROL = 8: use this boot file
  Bytes rest = {60, 9};
  for (char c : std::string("PXEClient")) rest.push_back(static_cast<std::uint8_t>(c));
  rest.push_back(66);
  rest.push_back(10);
  for (char c : std::string("198.18.0.1")) rest.push_back(static_cast<std::uint8_t>(c));
  rest.push_back(67);
  rest.push_back(10);
  for (char c : std::string("pxelinux.0")) rest.push_back(static_cast<std::uint8_t>(c));
  rest.push_back(97);
  rest.push_back(17);
  rest.insert(rest.end(), 17, 0);  // QEMU without -uuid: type 0 and 16 zero bytes
  rest.push_back(255);
  options.insert(options.end(), rest.begin(), rest.end());
  ASSERT_EQ(wire.size(), 236 + options.size());  // more than the BOOTP minimum: no padding
  EXPECT_EQ(Bytes(wire.begin() + 236, wire.begin() + 236 + static_cast<long>(options.size())),
            options);

  // No lease times, no subnet mask, no 175.176 (which would tell iPXE to ignore proxy offers).
  const Packet& r = d.reply->packet;
  EXPECT_FALSE(r.options.has(opt::kLeaseTime));
  EXPECT_FALSE(r.options.has(opt::kSubnetMask));
  EXPECT_FALSE(r.options.has(opt::kIpxeEncap));
  EXPECT_EQ(describe(d.exchange),
            "dhcp: 52:54:00:e2:e0:01 arch=0 (BIOS, iPXE) DISCOVER -> OFFER file=pxelinux.0 "
            "(proxy: boot information only)");
}

TEST_F(ProxyTest, UefiDiscoverGetsABinlOfferSoItAsksPort4011) {
  Decision d = handle(raw_request(kQemuMac, 9, 0x8000,
                                  {{53, {1}},
                                   {57, {0x05, 0xc0}},
                                   {93, {0, 7}},
                                   {94, {1, 3, 0}},
                                   {97, uuid_option()},
                                   {60, str_bytes("PXEClient:Arch:00007:UNDI:003000")},
                                   {55, {1, 3, 6, 43, 60, 66, 67}}}));
  ASSERT_TRUE(d.reply) << d.exchange.note;
  const Packet& r = d.reply->packet;
  EXPECT_EQ(r.message_type(), MessageType::offer);
  EXPECT_TRUE(r.yiaddr.is_zero());
  EXPECT_EQ(r.siaddr, ip("198.18.0.1"));
  EXPECT_EQ(r.flags, 0x8000);
  EXPECT_EQ(r.options.ip(opt::kServerId), ip("198.18.0.1"));
  EXPECT_EQ(r.options.string(opt::kVendorClass), "PXEClient");
  ASSERT_TRUE(r.options.get(opt::kClientUuid));
  EXPECT_EQ(*r.options.get(opt::kClientUuid), uuid_option());
  // No boot file and no PXE vendor options: edk2 classes this a "BINL" proxy offer and sends
  // a REQUEST to port 4011 for the file.
  EXPECT_TRUE(r.file.empty());
  EXPECT_FALSE(r.options.has(opt::kBootFileName));
  EXPECT_FALSE(r.options.has(opt::kVendorSpecific));
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::broadcast);
  EXPECT_EQ(d.exchange.note, "proxy: no boot file; the client asks port 4011 for snponly.efi");
}

TEST_F(ProxyTest, Edk2RequestOnPort4011GetsAnAckBackToItsAddressAndPort) {
  Decision d = handle(edk2_request(), ProxyPort::boot_server, Source{ip("198.18.0.150"), 4011});
  ASSERT_TRUE(d.reply) << d.exchange.note;
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::unicast);
  EXPECT_EQ(d.reply->destination.ip, ip("198.18.0.150"));
  EXPECT_EQ(d.reply->destination.port, 4011);
  EXPECT_EQ(d.reply->max_size, 1472u);  // 65280 asked; never more than a frame

  Bytes wire = encode(d.reply->packet, d.reply->max_size);
  const Bytes header = {2,   1,  6, 0,   0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 0,  // op..flags
                        198, 18, 0, 150,                                      // ciaddr echoed
                        0,   0,  0, 0,                                        // yiaddr: none
                        198, 18, 0, 1,                                        // siaddr
                        0,   0,  0, 0};
  EXPECT_EQ(Bytes(wire.begin(), wire.begin() + 28), header);
  EXPECT_EQ(std::string(wire.begin() + 108, wire.begin() + 119), "snponly.efi");
  Bytes options = {0x63, 0x82, 0x53, 0x63, 53, 1, 5, 54, 4, 198, 18, 0, 1, 60, 9};
  for (char c : std::string("PXEClient")) options.push_back(static_cast<std::uint8_t>(c));
  options.push_back(66);
  options.push_back(10);
  for (char c : std::string("198.18.0.1")) options.push_back(static_cast<std::uint8_t>(c));
  options.push_back(67);
  options.push_back(11);
  for (char c : std::string("snponly.efi")) options.push_back(static_cast<std::uint8_t>(c));
  options.push_back(97);
  options.push_back(17);
  Bytes uuid = uuid_option();
  options.insert(options.end(), uuid.begin(), uuid.end());
  options.push_back(255);
  EXPECT_EQ(Bytes(wire.begin() + 236, wire.begin() + 236 + static_cast<long>(options.size())),
            options);
  EXPECT_EQ(describe(d.exchange),
            "dhcp: 52:54:00:e2:e0:01 arch=7 (x64 UEFI) REQUEST -> ACK file=snponly.efi "
            "(proxy, port 4011, to 198.18.0.150:4011)");
}

TEST_F(ProxyTest, IpxeProxyRequestGetsTheIpxeBootFile) {
  rebuild("http://198.18.0.1/boot.ipxe");
  // iPXE's ProxyDHCPREQUEST: to port 4011 from port 68, naming us in 54, ciaddr set.
  Bytes req = raw_request(kQemuMac, 0, 0,
                          {{53, {3}},
                           {54, ip_bytes("198.18.0.1")},
                           {93, {0, 7}},
                           {60, str_bytes("PXEClient:Arch:00007:UNDI:003010")},
                           {77, str_bytes("iPXE")},
                           {55, {1, 3, 6, 43, 60, 66, 67, 175}}},
                          ip("198.18.0.150"));
  Decision d = handle(req, ProxyPort::boot_server, Source{ip("198.18.0.150"), 68});
  ASSERT_TRUE(d.reply) << d.exchange.note;
  const Packet& r = d.reply->packet;
  EXPECT_EQ(r.xid, 0u);
  EXPECT_EQ(r.message_type(), MessageType::ack);
  EXPECT_EQ(r.options.string(opt::kBootFileName), "http://198.18.0.1/boot.ipxe");
  EXPECT_EQ(r.file, "http://198.18.0.1/boot.ipxe");
  EXPECT_EQ(r.siaddr, ip("198.18.0.1"));  // iPXE wants siaddr and 67 ("PXE options present")
  EXPECT_FALSE(r.options.has(opt::kIpxeEncap));
  EXPECT_EQ(d.reply->destination.ip, ip("198.18.0.150"));
  EXPECT_EQ(d.reply->destination.port, 68);
}

TEST_F(ProxyTest, ProxyRequestOnPort67NamingUsIsAcknowledged) {
  Bytes req = raw_request(kQemuMac, 5, 0,
                          {{53, {3}},
                           {54, ip_bytes("198.18.0.1")},
                           {93, {0, 0}},
                           {60, str_bytes("PXEClient:Arch:00000:UNDI:002001")}},
                          ip("198.18.0.150"));
  Decision d = handle(req, ProxyPort::dhcp, Source{ip("198.18.0.150"), 68});
  ASSERT_TRUE(d.reply) << d.exchange.note;
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::ack);
  EXPECT_EQ(d.reply->packet.options.string(opt::kBootFileName), "pxelinux.0");
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::unicast);
  EXPECT_EQ(d.reply->destination.port, 68);
}

TEST_F(ProxyTest, RequestsForTheSiteServerAreLeftToIt) {
  // SELECTING the site server's offer.
  Decision a = handle(ipxe_bios(3, {{50, ip_bytes("198.18.0.150")}, {54, ip_bytes("198.18.0.2")}}));
  EXPECT_FALSE(a.reply);
  EXPECT_EQ(a.exchange.note, "proxy: a REQUEST for server 198.18.0.2");
  // INIT-REBOOT or renewing: no server identifier, no boot item.
  Decision b = handle(ipxe_bios(3, {{50, ip_bytes("198.18.0.150")}}));
  EXPECT_FALSE(b.reply);
  EXPECT_EQ(b.exchange.note, "proxy: a REQUEST for the site's DHCP server");
  // DECLINE, RELEASE, INFORM on port 67.
  for (std::uint8_t type : {std::uint8_t{4}, std::uint8_t{7}, std::uint8_t{8}}) {
    EXPECT_FALSE(handle(ipxe_bios(type)).reply) << int(type);
  }
}

TEST_F(ProxyTest, NonPxeClientsAreNeverAnswered) {
  // busybox udhcpc in the initramfs, and a client with no vendor class at all.
  Bytes udhcpc = raw_request(kQemuMac, 3, 0,
                             {{53, {1}},
                              {57, {0x02, 0x40}},
                              {55, {1, 3, 6, 12, 15, 28, 42}},
                              {60, str_bytes("udhcp 1.35.0")}});
  Decision d = handle(udhcpc);
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(describe(d.exchange),
            "dhcp: 52:54:00:e2:e0:01 DISCOVER -> no reply: proxy: not a PXE client (vendor class "
            "'udhcp 1.35.0')");
  EXPECT_FALSE(handle(raw_request(kQemuMac, 3, 0, {{53, {1}}})).reply);
  EXPECT_FALSE(handle(raw_request(kQemuMac, 3, 0, {{53, {3}}, {54, ip_bytes("198.18.0.1")}},
                                  ip("198.18.0.150")),
                      ProxyPort::boot_server, Source{ip("198.18.0.150"), 68})
                   .reply);
  // syslinux.efi's own DHCP: no 60 either.
  EXPECT_FALSE(
      handle(raw_request(kQemuMac, 4, 0x8000, {{53, {1}}, {57, {0xff, 0x00}}, {55, {1, 3, 6}}}))
          .reply);
}

TEST_F(ProxyTest, OnlyRequestsAreAnsweredOnPort4011) {
  Decision d = handle(ipxe_bios(1), ProxyPort::boot_server, Source{ip("198.18.0.150"), 68});
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(d.exchange.note, "proxy: DISCOVER on port 4011 is not answered");
}

TEST_F(ProxyTest, BootServerDiscoveryGetsItsBootItemEchoed) {
  // A PXE ROM that does boot-server discovery anyway: 43.71 = type 0x8000, layer 0.
  Decision d = handle(edk2_request({{43, {71, 4, 0x80, 0x00, 0x00, 0x00, 255}}}),
                      ProxyPort::boot_server, Source{ip("198.18.0.150"), 4011});
  ASSERT_TRUE(d.reply) << d.exchange.note;
  ASSERT_TRUE(d.reply->packet.options.get(opt::kVendorSpecific));
  EXPECT_EQ(*d.reply->packet.options.get(opt::kVendorSpecific),
            (Bytes{71, 4, 0x80, 0x00, 0x00, 0x00, 255}));
  // Broadcast to port 67 (no server identifier) with a boot item: answered too.
  Bytes bcast = raw_request(kQemuMac, 6, 0x8000,
                            {{53, {3}},
                             {93, {0, 0}},
                             {60, str_bytes("PXEClient:Arch:00000:UNDI:002001")},
                             {43, {71, 4, 0x80, 0x00, 0x00, 0x00, 255}}},
                            ip("198.18.0.150"));
  Decision b = handle(bcast, ProxyPort::dhcp, Source{ip("198.18.0.150"), 68});
  ASSERT_TRUE(b.reply) << b.exchange.note;
  EXPECT_EQ(b.reply->packet.message_type(), MessageType::ack);
}

TEST_F(ProxyTest, HttpBootDiscoverGetsTheUrlAndHttpClient) {
  Decision d = handle(raw_request(kQemuMac, 9, 0x8000,
                                  {{53, {1}},
                                   {93, {0, 16}},
                                   {60, str_bytes("HTTPClient:Arch:00016:UNDI:003000")},
                                   {55, {1, 3, 6, 60, 66, 67}}}));
  ASSERT_TRUE(d.reply) << d.exchange.note;
  const Packet& r = d.reply->packet;
  EXPECT_TRUE(r.yiaddr.is_zero());
  EXPECT_EQ(r.options.string(opt::kVendorClass), "HTTPClient");
  EXPECT_EQ(r.options.string(opt::kBootFileName), "http://198.18.0.1/ipxe.efi");
  EXPECT_FALSE(r.options.has(opt::kVendorSpecific));
}

TEST_F(ProxyTest, RelayedDiscoverGoesBackToTheRelay) {
  Bytes req = raw_request(kQemuMac, 9, 0,
                          {{53, {1}}, {93, {0, 0}}, {60, str_bytes("PXEClient:Arch:00000")}},
                          Ipv4(), ip("198.18.5.1"));
  Decision d = handle(req, ProxyPort::dhcp, Source{ip("198.18.5.1"), 67});
  ASSERT_TRUE(d.reply) << d.exchange.note;
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::relay);
  EXPECT_EQ(d.reply->destination.ip, ip("198.18.5.1"));
  EXPECT_EQ(d.reply->packet.giaddr, ip("198.18.5.1"));
}

TEST_F(ProxyTest, ArchitectureWithoutALoaderIsNotAnswered) {
  // An architecture the table does not know, and no boot file configured for it.
  Decision d = handle(
      raw_request(kQemuMac, 9, 0x8000,
                  {{53, {1}}, {93, {0, 99}}, {60, str_bytes("PXEClient:Arch:00099:UNDI:003000")}}));
  EXPECT_FALSE(d.reply);
  EXPECT_NE(d.exchange.note.find("no boot file"), std::string::npos) << d.exchange.note;
}

}  // namespace
}  // namespace pxed::dhcp

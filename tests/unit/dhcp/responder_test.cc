#include "dhcp/responder.h"

#include <gtest/gtest.h>

#include "lease/memory_store.h"
#include "test_packets.h"

namespace pxed::dhcp {
namespace {

using testing::ipxe_bios;
using testing::kQemuMac;
using testing::raw_request;
using testing::str_bytes;

constexpr std::int64_t kNow = 1'800'000'000;

Ipv4 ip(const char* s) {
  return *Ipv4::parse(s);
}

Bytes ip_bytes(const char* s) {
  auto b = ip(s).bytes();
  return Bytes(b.begin(), b.end());
}

MacAddress mac_n(std::uint8_t n) {
  return MacAddress({0x52, 0x54, 0x00, 0, 0, n});
}

class ResponderTest : public ::testing::Test {
 protected:
  ResponderTest() { rebuild(); }

  void rebuild(std::string ipxe_file = "", const char* end = "198.18.0.200") {
    boot::PolicyConfig pc;
    pc.server = ip("198.18.0.1");
    pc.ipxe_boot_file = std::move(ipxe_file);
    policy_ = std::make_unique<boot::Policy>(pc);
    config::Subnet s;
    s.network = Ipv4Network{ip("198.18.0.0"), ip("255.255.255.0")};
    s.interfaces = {"br0"};
    s.pools = {config::AddressRange{ip("198.18.0.100"), ip(end)}};
    config_.subnets = {s};
    config_.options = {config::OptionValue{3, ip_bytes("198.18.0.254"), {}},
                       config::OptionValue{6, ip_bytes("198.18.0.53"), {}}};
    config_.lease_time = 600;
    config_.decline_quarantine = 600;
    config_.rate_limit_per_mac = 0;
    responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  }

  Decision handle(const Bytes& raw, std::int64_t now = kNow) {
    auto p = decode(raw);
    EXPECT_TRUE(p) << p.error().message;
    return responder_->handle(*p, arrival_, now);
  }

  // DISCOVER then REQUEST in SELECTING state; returns the ACK.
  Packet lease_for(const MacAddress& mac, std::int64_t now = kNow) {
    Decision offer = handle(raw_request(mac, 1, 0, {{53, {1}}}), now);
    EXPECT_TRUE(offer.reply);
    auto addr = offer.reply->packet.yiaddr.bytes();
    Decision ack = handle(
        raw_request(
            mac, 2, 0,
            {{53, {3}}, {50, Bytes(addr.begin(), addr.end())}, {54, ip_bytes("198.18.0.1")}}),
        now);
    EXPECT_TRUE(ack.reply);
    EXPECT_EQ(ack.exchange.reply, MessageType::ack) << ack.exchange.note;
    return ack.reply->packet;
  }

  lease::MemoryStore store_;
  config::DhcpConfig config_;
  Arrival arrival_{"br0", ip("198.18.0.1")};
  std::unique_ptr<boot::Policy> policy_;
  std::unique_ptr<Responder> responder_;
};

TEST_F(ResponderTest, BiosIpxeRomGetsPxelinuxAndEverythingToBoot) {
  Decision d = handle(ipxe_bios(1));
  ASSERT_TRUE(d.reply);
  const Packet& r = d.reply->packet;
  EXPECT_EQ(r.message_type(), MessageType::offer);
  EXPECT_EQ(r.op, kBootReply);
  EXPECT_EQ(r.xid, 0x1234u);
  EXPECT_EQ(r.yiaddr, ip("198.18.0.100"));
  EXPECT_EQ(r.siaddr, ip("198.18.0.1"));
  EXPECT_EQ(r.file, "pxelinux.0");
  EXPECT_EQ(r.options.string(opt::kBootFileName), "pxelinux.0");
  EXPECT_EQ(r.options.string(opt::kTftpServerName), "198.18.0.1");
  EXPECT_EQ(r.options.ip(opt::kServerId), ip("198.18.0.1"));
  EXPECT_EQ(r.options.ip(opt::kSubnetMask), ip("255.255.255.0"));
  EXPECT_EQ(r.options.ip(opt::kRouter), ip("198.18.0.254"));
  EXPECT_EQ(r.options.ip(opt::kDnsServers), ip("198.18.0.53"));
  EXPECT_EQ(r.options.ip(opt::kBroadcastAddress), ip("198.18.0.255"));
  EXPECT_EQ(r.options.u32(opt::kLeaseTime), 600u);
  EXPECT_EQ(r.options.u32(opt::kRenewalTime), 300u);
  EXPECT_EQ(r.options.u32(opt::kRebindingTime), 525u);
  // iPXE is told not to wait for a ProxyDHCP offer.
  ASSERT_TRUE(r.options.get(opt::kIpxeEncap));
  EXPECT_EQ(*r.options.get(opt::kIpxeEncap), (Bytes{176, 1, 1}));
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::hardware_unicast);
  EXPECT_EQ(d.reply->max_size, 1472u);
  EXPECT_EQ(
      describe(d.exchange),
      "dhcp: 52:54:00:e2:e0:01 arch=0 (BIOS, iPXE) DISCOVER -> OFFER 198.18.0.100 file=pxelinux.0");
}

TEST_F(ResponderTest, IpxeGetsTheIpxeBootFileSoItDoesNotLoadItself) {
  rebuild("http://198.18.0.1/boot.ipxe");
  Decision d = handle(ipxe_bios(1));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.options.string(opt::kBootFileName), "http://198.18.0.1/boot.ipxe");
}

TEST_F(ResponderTest, Edk2X64GetsSnponlyEfiByBroadcast) {
  Decision d = handle(raw_request(kQemuMac, 9, 0x8000,
                                  {{53, {1}},
                                   {93, {0, 7}},
                                   {60, str_bytes("PXEClient:Arch:00007:UNDI:003000")},
                                   {55, {1, 3, 6, 66, 67}}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.options.string(opt::kBootFileName), "snponly.efi");
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::broadcast);
  EXPECT_FALSE(d.reply->packet.options.has(opt::kIpxeEncap));
  EXPECT_FALSE(d.reply->packet.options.has(opt::kVendorClass));
}

TEST_F(ResponderTest, UefiHttpBootGetsUrlAndHttpClientClass) {
  Decision d = handle(raw_request(kQemuMac, 9, 0x8000,
                                  {{53, {1}},
                                   {93, {0, 16}},
                                   {60, str_bytes("HTTPClient:Arch:00016:UNDI:003000")},
                                   {55, {1, 3, 6, 60, 66, 67}}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.options.string(opt::kBootFileName), "http://198.18.0.1/ipxe.efi");
  EXPECT_EQ(d.reply->packet.options.string(opt::kVendorClass), "HTTPClient");
}

TEST_F(ResponderTest, OsClientWithoutPxeOptionsGetsFileFieldOnly) {
  // busybox udhcpc: does not ask for 66/67, so the boot file rides in the BOOTP file field.
  Decision d = handle(raw_request(kQemuMac, 3, 0,
                                  {{53, {1}},
                                   {57, {0x02, 0x40}},
                                   {55, {1, 3, 6, 12, 15, 28, 42}},
                                   {60, str_bytes("udhcp 1.35.0")}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.file, "pxelinux.0");
  EXPECT_FALSE(d.reply->packet.options.has(opt::kBootFileName));
  EXPECT_EQ(d.reply->max_size, 576u);
}

TEST_F(ResponderTest, SelectingRequestIsAcknowledgedAndLeaseStored) {
  Packet ack = lease_for(kQemuMac);
  EXPECT_EQ(ack.yiaddr, ip("198.18.0.100"));
  auto lease = store_.by_address(ip("198.18.0.100"));
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->mac, kQemuMac);
  EXPECT_EQ(lease->expires_at, kNow + 600);
}

TEST_F(ResponderTest, RequestForAnotherServerIsIgnoredAndOfferFreed) {
  rebuild("", "198.18.0.100");  // one address, so the next client can only get it if it was freed
  handle(raw_request(kQemuMac, 1, 0, {{53, {1}}}));
  Decision d = handle(raw_request(
      kQemuMac, 2, 0, {{53, {3}}, {50, ip_bytes("198.18.0.100")}, {54, ip_bytes("198.18.0.2")}}));
  EXPECT_FALSE(d.reply);
  EXPECT_NE(d.exchange.note.find("198.18.0.2"), std::string::npos);
  // The address is free again for somebody else.
  Decision other = handle(raw_request(mac_n(9), 3, 0, {{53, {1}}}));
  ASSERT_TRUE(other.reply);
  EXPECT_EQ(other.reply->packet.yiaddr, ip("198.18.0.100"));
}

TEST_F(ResponderTest, ConcurrentClientsAreOfferedDifferentAddresses) {
  Decision a = handle(raw_request(mac_n(1), 1, 0, {{53, {1}}}));
  Decision b = handle(raw_request(mac_n(2), 2, 0, {{53, {1}}}));
  ASSERT_TRUE(a.reply && b.reply);
  EXPECT_NE(a.reply->packet.yiaddr, b.reply->packet.yiaddr);
  // A retried DISCOVER gets the same offer.
  Decision a2 = handle(raw_request(mac_n(1), 1, 0, {{53, {1}}}));
  EXPECT_EQ(a2.reply->packet.yiaddr, a.reply->packet.yiaddr);
}

TEST_F(ResponderTest, InitRebootOnWrongNetworkIsNaked) {
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {3}}, {50, ip_bytes("10.9.8.7")}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::nak);
  EXPECT_TRUE(d.reply->packet.yiaddr.is_zero());
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::broadcast);
  EXPECT_TRUE(d.reply->packet.options.has(opt::kMessage));
}

TEST_F(ResponderTest, RequestForAnAddressOutsideTheRangeIsNaked) {
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {3}}, {50, ip_bytes("198.18.0.20")}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::nak);
}

TEST_F(ResponderTest, RequestForSomebodyElsesAddressIsNaked) {
  Packet first = lease_for(mac_n(1));
  auto b = first.yiaddr.bytes();
  Decision d = handle(raw_request(mac_n(2), 1, 0, {{53, {3}}, {50, Bytes(b.begin(), b.end())}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::nak);
}

TEST_F(ResponderTest, InitRebootForOwnAddressIsAcked) {
  Packet first = lease_for(kQemuMac);
  auto b = first.yiaddr.bytes();
  Decision d =
      handle(raw_request(kQemuMac, 1, 0, {{53, {3}}, {50, Bytes(b.begin(), b.end())}}), kNow + 100);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::ack);
  EXPECT_EQ(store_.by_address(first.yiaddr)->expires_at, kNow + 700);
}

TEST_F(ResponderTest, RenewingIsAckedByUnicast) {
  Packet first = lease_for(kQemuMac);
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {3}}}, first.yiaddr), kNow + 300);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::ack);
  EXPECT_EQ(d.reply->packet.ciaddr, first.yiaddr);
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::unicast);
}

TEST_F(ResponderTest, SameAddressAfterRestartAndAfterRelease) {
  Packet first = lease_for(kQemuMac);
  rebuild();  // a new responder over the same store: a restart
  Decision again = handle(raw_request(kQemuMac, 5, 0, {{53, {1}}}), kNow + 5000);
  ASSERT_TRUE(again.reply);
  EXPECT_EQ(again.reply->packet.yiaddr, first.yiaddr);

  handle(raw_request(kQemuMac, 6, 0, {{53, {7}}, {54, ip_bytes("198.18.0.1")}}, first.yiaddr));
  EXPECT_FALSE(store_.by_address(first.yiaddr)->active(kNow + 10));
  Decision after = handle(raw_request(kQemuMac, 7, 0, {{53, {1}}}), kNow + 20);
  EXPECT_EQ(after.reply->packet.yiaddr, first.yiaddr);
}

TEST_F(ResponderTest, ExhaustedRangeStaysSilentButRenewalsGoOn) {
  rebuild("", "198.18.0.101");
  Packet a = lease_for(mac_n(1));
  lease_for(mac_n(2));
  Decision d = handle(raw_request(mac_n(3), 1, 0, {{53, {1}}}));
  EXPECT_FALSE(d.reply);
  EXPECT_NE(d.exchange.note.find("no free address"), std::string::npos);
  Decision renew = handle(raw_request(mac_n(1), 1, 0, {{53, {3}}}, a.yiaddr));
  ASSERT_TRUE(renew.reply);
  EXPECT_EQ(renew.reply->packet.message_type(), MessageType::ack);
}

TEST_F(ResponderTest, ExpiredLeaseIsReused) {
  rebuild("", "198.18.0.100");
  lease_for(mac_n(1));
  EXPECT_FALSE(handle(raw_request(mac_n(2), 1, 0, {{53, {1}}}), kNow + 10).reply);
  Decision later = handle(raw_request(mac_n(2), 1, 0, {{53, {1}}}), kNow + 601);
  ASSERT_TRUE(later.reply);
  EXPECT_EQ(later.reply->packet.yiaddr, ip("198.18.0.100"));
}

TEST_F(ResponderTest, DeclinedAddressIsQuarantined) {
  rebuild("", "198.18.0.101");
  handle(raw_request(mac_n(1), 1, 0,
                     {{53, {4}}, {50, ip_bytes("198.18.0.100")}, {54, ip_bytes("198.18.0.1")}}));
  Decision d = handle(raw_request(mac_n(2), 1, 0, {{53, {1}}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.yiaddr, ip("198.18.0.101"));
}

TEST_F(ResponderTest, InformGetsOptionsWithoutLease) {
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {8}}}, ip("198.18.0.50")));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.message_type(), MessageType::ack);
  EXPECT_TRUE(d.reply->packet.yiaddr.is_zero());
  EXPECT_FALSE(d.reply->packet.options.has(opt::kLeaseTime));
  EXPECT_TRUE(store_.all().empty());
}

TEST_F(ResponderTest, IgnoresRepliesAndMessagesWithoutType) {
  Bytes raw = raw_request(kQemuMac, 1, 0, {{53, {1}}});
  raw[0] = 2;
  EXPECT_FALSE(handle(raw).reply);
  EXPECT_FALSE(handle(raw_request(kQemuMac, 1, 0, {{12, str_bytes("x")}})).reply);
}

TEST_F(ResponderTest, RelayedRequestGoesBackToTheRelayWithNakBroadcastBit) {
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {3}}, {50, ip_bytes("10.0.0.5")}}, Ipv4(),
                                  ip("198.18.0.9")));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::relay);
  EXPECT_TRUE(d.reply->packet.broadcast());
  EXPECT_EQ(d.reply->packet.giaddr, ip("198.18.0.9"));
}

TEST_F(ResponderTest, PoolCursorSpreadsNewClientsWithoutRescanning) {
  for (std::uint8_t n = 1; n <= 5; ++n) {
    Packet ack = lease_for(mac_n(n));
    EXPECT_EQ(ack.yiaddr, Ipv4(ip("198.18.0.100").value() + n - 1u));
  }
}

TEST_F(ResponderTest, ReservationGetsItsAddressBootFileAndOptions) {
  config::Reservation r;
  r.mac = mac_n(7);
  r.address = ip("198.18.0.10");  // outside the pool, inside the subnet
  r.hostname = "node7";
  r.boot_file = "special.0";
  r.options = {config::OptionValue{6, ip_bytes("198.18.0.77"), {}}};
  config_.subnets[0].reservations = {r};
  config_.subnets[0].pools = {config::AddressRange{ip("198.18.0.10"), ip("198.18.0.12")}};
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Packet ack = lease_for(mac_n(7));
  EXPECT_EQ(ack.yiaddr, ip("198.18.0.10"));
  EXPECT_EQ(ack.file, "special.0");
  EXPECT_EQ(ack.options.ip(opt::kDnsServers), ip("198.18.0.77"));
  EXPECT_EQ(ack.options.string(opt::kHostName), "node7");
  // Nobody else is ever given the reserved address, even asking for it.
  Decision other = handle(raw_request(mac_n(8), 1, 0, {{53, {1}}, {50, ip_bytes("198.18.0.10")}}));
  ASSERT_TRUE(other.reply);
  EXPECT_EQ(other.reply->packet.yiaddr, ip("198.18.0.11"));
}

TEST_F(ResponderTest, ExcludedAddressesAreSkipped) {
  config_.subnets[0].exclusions = {config::AddressRange{ip("198.18.0.100"), ip("198.18.0.101")}};
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  EXPECT_EQ(lease_for(mac_n(1)).yiaddr, ip("198.18.0.102"));
}

TEST_F(ResponderTest, RelayedRequestPicksTheSubnetByGiaddrAndEchoesOption82) {
  config::Subnet remote;
  remote.network = Ipv4Network{ip("198.18.4.0"), ip("255.255.255.0")};
  remote.pools = {config::AddressRange{ip("198.18.4.50"), ip("198.18.4.60")}};
  remote.options = {config::OptionValue{3, ip_bytes("198.18.4.1"), {}}};
  config_.subnets.push_back(remote);
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Bytes rai = {1, 3, 'p', '1', '2', 2, 2, 'r', '9'};
  Decision d =
      handle(raw_request(kQemuMac, 1, 0, {{53, {1}}, {82, rai}}, Ipv4(), ip("198.18.4.1")));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.yiaddr, ip("198.18.4.50"));
  EXPECT_EQ(d.reply->packet.options.ip(opt::kRouter), ip("198.18.4.1"));
  EXPECT_EQ(*d.reply->packet.options.get(opt::kRelayAgentInfo), rai);
  EXPECT_EQ(d.reply->destination.kind, Destination::Kind::relay);
  EXPECT_EQ(d.reply->destination.ip, ip("198.18.4.1"));
  EXPECT_EQ(d.reply->destination.port, 67);
}

TEST_F(ResponderTest, LinkSelectionSubOptionOverridesGiaddr) {
  config::Subnet remote;
  remote.network = Ipv4Network{ip("198.18.6.0"), ip("255.255.255.0")};
  remote.pools = {config::AddressRange{ip("198.18.6.50"), ip("198.18.6.60")}};
  config_.subnets.push_back(remote);
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Bytes rai = {5, 4, 198, 18, 6, 0};
  Decision d =
      handle(raw_request(kQemuMac, 1, 0, {{53, {1}}, {82, rai}}, Ipv4(), ip("198.18.9.1")));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.yiaddr, ip("198.18.6.50"));
}

TEST_F(ResponderTest, UnknownRelayNetworkIsIgnored) {
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {1}}}, Ipv4(), ip("198.19.9.1")));
  EXPECT_FALSE(d.reply);
  EXPECT_NE(d.exchange.note.find("no subnet"), std::string::npos);
}

TEST_F(ResponderTest, MatchMacOnlyGivesOneAddressWhateverTheClientId) {
  config_.subnets[0].match_mac_only = true;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Packet first = lease_for(kQemuMac);
  Bytes other_id = {0xff, 1, 2, 3, 4};
  Decision d = handle(raw_request(kQemuMac, 9, 0, {{53, {1}}, {61, other_id}}));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.yiaddr, first.yiaddr);
}

TEST_F(ResponderTest, NotAuthoritativeStaysSilentInsteadOfNak) {
  config_.authoritative = false;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {3}}, {50, ip_bytes("10.9.8.7")}}));
  EXPECT_FALSE(d.reply);
  EXPECT_NE(d.exchange.note.find("not authoritative"), std::string::npos);
}

TEST_F(ResponderTest, RateLimitPerMac) {
  config_.rate_limit_per_mac = 3;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    if (handle(raw_request(kQemuMac, 1, 0, {{53, {1}}}), kNow).reply) ++answered;
  }
  EXPECT_EQ(answered, 3);
  EXPECT_TRUE(handle(raw_request(kQemuMac, 1, 0, {{53, {1}}}), kNow + 1).reply) << "a new second";
  EXPECT_TRUE(handle(raw_request(mac_n(4), 1, 0, {{53, {1}}}), kNow).reply)
      << "other MACs unaffected";
}

TEST_F(ResponderTest, OptionsFollowTheParameterRequestListOrder) {
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {1}}, {55, {6, 3, 1}}}));
  ASSERT_TRUE(d.reply);
  const auto& e = d.reply->packet.options.entries();
  std::vector<std::uint8_t> codes;
  for (const auto& [code, value] : e) codes.push_back(code);
  ASSERT_GE(codes.size(), 8u);
  EXPECT_EQ((std::vector<std::uint8_t>(codes.begin(), codes.begin() + 8)),
            (std::vector<std::uint8_t>{53, 54, 51, 58, 59, 6, 3, 1}));
}

TEST_F(ResponderTest, OnlyAnAddressTheClientHoldsMovesItToAnotherSubnet) {
  config::Subnet remote;
  remote.network = Ipv4Network{ip("198.18.4.0"), ip("255.255.255.0")};
  remote.pools = {config::AddressRange{ip("198.18.4.50"), ip("198.18.4.60")}};
  config_.subnets.push_back(remote);
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  // A DISCOVER with a stray ciaddr still belongs to the link it came in on.
  Decision d = handle(raw_request(kQemuMac, 1, 0, {{53, {1}}}, ip("198.18.4.55")));
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.yiaddr, ip("198.18.0.100"));
  // A renewal unicast straight to us from behind a relay is judged in the client's subnet.
  Decision renew = handle(raw_request(mac_n(3), 1, 0, {{53, {3}}}, ip("198.18.4.55")));
  ASSERT_TRUE(renew.reply);
  EXPECT_EQ(renew.reply->packet.message_type(), MessageType::ack);
  // A DECLINE names its address in option 50, whatever link it comes from.
  handle(raw_request(mac_n(4), 1, 0,
                     {{53, {4}}, {50, ip_bytes("198.18.4.56")}, {54, ip_bytes("198.18.0.1")}}));
  auto q = store_.by_address(ip("198.18.4.56"));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->client_key, "declined");
}

TEST_F(ResponderTest, NoProbeUnlessConflictDetectionIsOn) {
  EXPECT_FALSE(handle(raw_request(mac_n(1), 1, 0, {{53, {1}}})).probe);
}

TEST_F(ResponderTest, ConflictDetectionProbesNewOffersOnTheLinkOnly) {
  config_.conflict_detection = true;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Decision d = handle(raw_request(mac_n(1), 1, 0, {{53, {1}}}));
  ASSERT_TRUE(d.reply);  // the offer is not held back
  ASSERT_TRUE(d.probe);
  EXPECT_EQ(*d.probe, d.reply->packet.yiaddr);
  // A client that already holds its address is not probed again.
  Packet ack = lease_for(mac_n(2));
  Decision again = handle(raw_request(mac_n(2), 3, 0, {{53, {1}}}), kNow + 5);
  ASSERT_TRUE(again.reply);
  EXPECT_EQ(again.reply->packet.yiaddr, ack.yiaddr);
  EXPECT_FALSE(again.probe);
  // ARP does not cross a relay.
  Decision relayed = handle(raw_request(mac_n(3), 1, 0, {{53, {1}}}, Ipv4(), ip("198.18.0.9")));
  ASSERT_TRUE(relayed.reply);
  EXPECT_FALSE(relayed.probe);
}

TEST_F(ResponderTest, ConflictQuarantinesTheOfferAndTheRequestIsNaked) {
  config_.conflict_detection = true;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  const MacAddress squatter({0x02, 0xaa, 0, 0, 0, 9});
  Decision offer = handle(raw_request(mac_n(1), 1, 0, {{53, {1}}}));
  ASSERT_TRUE(offer.reply && offer.probe);
  Ipv4 taken = *offer.probe;
  std::string note = responder_->conflict(taken, squatter, mac_n(1), kNow);
  EXPECT_NE(note.find("in use by 02:aa:00:00:00:09"), std::string::npos) << note;
  EXPECT_NE(note.find("quarantined for 600 s"), std::string::npos) << note;
  auto q = store_.by_address(taken);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->client_key, "conflict");
  EXPECT_EQ(q->mac, squatter);
  // The client asks for the offered address anyway: NAK, and its next DISCOVER gets another.
  auto b = taken.bytes();
  Decision req = handle(raw_request(
      mac_n(1), 2, 0,
      {{53, {3}}, {50, Bytes(b.begin(), b.end())}, {54, ip_bytes("198.18.0.1")}}));
  ASSERT_TRUE(req.reply);
  EXPECT_EQ(req.reply->packet.message_type(), MessageType::nak);
  EXPECT_NE(req.exchange.note.find("in use by another host (conflict)"), std::string::npos)
      << req.exchange.note;
  Decision next = handle(raw_request(mac_n(1), 3, 0, {{53, {1}}}));
  ASSERT_TRUE(next.reply);
  EXPECT_NE(next.reply->packet.yiaddr, taken);
  // After the quarantine the address is free again.
  EXPECT_EQ(responder_->reclaim(kNow + 601), 1u);
  EXPECT_FALSE(store_.by_address(taken));
}

TEST_F(ResponderTest, ConflictAfterTheAckLeavesTheLeaseAlone) {
  config_.conflict_detection = true;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Packet ack = lease_for(mac_n(1));
  std::string note =
      responder_->conflict(ack.yiaddr, MacAddress({0x02, 0xaa, 0, 0, 0, 9}), mac_n(1), kNow);
  EXPECT_NE(note.find("already leased to 52:54:00:00:00:01"), std::string::npos) << note;
  auto l = store_.by_address(ack.yiaddr);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->mac, mac_n(1));
}

TEST_F(ResponderTest, ConflictWhileTheAckIsWithheldTurnsTheRequestIntoANak) {
  config_.conflict_detection = true;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  const MacAddress squatter({0x02, 0xaa, 0, 0, 0, 9});
  Decision offer = handle(raw_request(mac_n(1), 1, 0, {{53, {1}}}));
  ASSERT_TRUE(offer.probe);
  auto b = offer.probe->bytes();
  Bytes request = raw_request(
      mac_n(1), 2, 0, {{53, {3}}, {50, Bytes(b.begin(), b.end())}, {54, ip_bytes("198.18.0.1")}});
  Decision ack = handle(request);
  ASSERT_TRUE(ack.reply);
  ASSERT_EQ(ack.exchange.reply, MessageType::ack);
  // The I/O layer held that ACK back while the probe ran; then the squatter answered.
  std::string note = responder_->conflict(*offer.probe, squatter, mac_n(1), kNow, true);
  EXPECT_NE(note.find("quarantined"), std::string::npos) << note;
  EXPECT_EQ(store_.by_address(*offer.probe)->client_key, "conflict");
  // Handling the same REQUEST again gives the NAK the client gets instead.
  Decision nak = handle(request);
  ASSERT_TRUE(nak.reply);
  EXPECT_EQ(nak.exchange.reply, MessageType::nak);
}

TEST_F(ResponderTest, ReclaimDeletesOnlyLeasesPastTheirRetention) {
  config_.expired_lease_retention = 1000;
  responder_ = std::make_unique<Responder>(config_, *policy_, store_);
  Packet a = lease_for(mac_n(1));             // expires at kNow + 600
  Packet b = lease_for(mac_n(2), kNow + 500);  // expires at kNow + 1100
  EXPECT_EQ(responder_->reclaim(kNow + 1599), 0u);  // a expired, but is kept 1000 s
  EXPECT_EQ(responder_->reclaim(kNow + 1600), 1u);
  EXPECT_FALSE(store_.by_address(a.yiaddr));
  EXPECT_TRUE(store_.by_address(b.yiaddr));
  EXPECT_EQ(responder_->reclaim(kNow + 2100), 1u);
  EXPECT_TRUE(store_.all().empty());
}

TEST_F(ResponderTest, AnExpiredLeaseStillInRetentionGoesBackToItsClient) {
  Packet first = lease_for(mac_n(1));
  lease_for(mac_n(2));
  EXPECT_EQ(responder_->reclaim(kNow + 3600), 0u);
  Decision d = handle(raw_request(mac_n(1), 9, 0, {{53, {1}}}), kNow + 3600);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->packet.yiaddr, first.yiaddr);
}

}  // namespace
}  // namespace pxed::dhcp

#include "dhcp/reply_route.h"

#include <gtest/gtest.h>

namespace pxed::dhcp {
namespace {

using Kind = Destination::Kind;

Packet reply_of(MessageType t, const char* yiaddr = "198.18.0.100") {
  Packet r;
  r.op = kBootReply;
  r.yiaddr = *Ipv4::parse(yiaddr);
  r.options.set_u8(opt::kMessageType, static_cast<std::uint8_t>(t));
  return r;
}

TEST(RouteReply, RelayGetsEverythingOnPort67) {
  Packet req;
  req.giaddr = *Ipv4::parse("198.18.5.1");
  req.ciaddr = *Ipv4::parse("198.18.5.20");
  for (auto t : {MessageType::offer, MessageType::ack, MessageType::nak}) {
    Destination d = route_reply(req, reply_of(t));
    EXPECT_EQ(d.kind, Kind::relay);
    EXPECT_EQ(d.ip, req.giaddr);
    EXPECT_EQ(d.port, 67);
  }
}

TEST(RouteReply, NakIsBroadcastWithoutRelay) {
  Packet req;
  req.ciaddr = *Ipv4::parse("198.18.0.20");
  EXPECT_EQ(route_reply(req, reply_of(MessageType::nak, "0.0.0.0")).kind, Kind::broadcast);
}

TEST(RouteReply, RenewingClientGetsUnicastToCiaddr) {
  Packet req;
  req.ciaddr = *Ipv4::parse("198.18.0.20");
  req.flags = kBroadcastFlag;
  Destination d = route_reply(req, reply_of(MessageType::ack, "198.18.0.20"));
  EXPECT_EQ(d.kind, Kind::unicast);
  EXPECT_EQ(d.ip, req.ciaddr);
  EXPECT_EQ(d.port, 68);
}

TEST(RouteReply, BroadcastFlagMeansBroadcast) {
  Packet req;
  req.flags = kBroadcastFlag;  // edk2 sets it
  Destination d = route_reply(req, reply_of(MessageType::offer));
  EXPECT_EQ(d.kind, Kind::broadcast);
  EXPECT_EQ(d.ip, Ipv4::broadcast());
}

TEST(RouteReply, OtherwiseUnicastToHardwareAddress) {
  Packet req;  // iPXE: flags 0, no address yet
  Destination d = route_reply(req, reply_of(MessageType::offer));
  EXPECT_EQ(d.kind, Kind::hardware_unicast);
  EXPECT_EQ(d.ip.to_string(), "198.18.0.100");
  EXPECT_EQ(d.port, 68);
}

}  // namespace
}  // namespace pxed::dhcp

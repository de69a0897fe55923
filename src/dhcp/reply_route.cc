#include "dhcp/reply_route.h"

namespace pxed::dhcp {

namespace {
constexpr std::uint16_t kServerPort = 67;
constexpr std::uint16_t kClientPort = 68;
}  // namespace

Destination route_reply(const Packet& request, const Packet& reply) {
  using Kind = Destination::Kind;
  if (!request.giaddr.is_zero()) return {Kind::relay, request.giaddr, kServerPort};
  if (reply.message_type() == MessageType::nak)
    return {Kind::broadcast, Ipv4::broadcast(), kClientPort};
  if (!request.ciaddr.is_zero()) return {Kind::unicast, request.ciaddr, kClientPort};
  if (request.broadcast() || reply.yiaddr.is_zero()) {
    return {Kind::broadcast, Ipv4::broadcast(), kClientPort};
  }
  return {Kind::hardware_unicast, reply.yiaddr, kClientPort};
}

}  // namespace pxed::dhcp

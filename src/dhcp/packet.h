// The DHCPv4 message (RFC 2131 §2) and its codec. decode() checks every length against what
// remains and rejects the whole packet with a reason on any anomaly; encode() writes a reply
// that fits the client's maximum message size.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/net_types.h"
#include "core/result.h"
#include "dhcp/options.h"

namespace pxed::dhcp {

enum class MessageType : std::uint8_t {
  discover = 1,
  offer = 2,
  request = 3,
  decline = 4,
  ack = 5,
  nak = 6,
  release = 7,
  inform = 8,
};
std::string_view to_string(MessageType t);

inline constexpr std::uint8_t kBootRequest = 1;
inline constexpr std::uint8_t kBootReply = 2;
inline constexpr std::uint16_t kBroadcastFlag = 0x8000;
inline constexpr std::size_t kFixedHeaderSize = 236;
inline constexpr std::uint32_t kMagicCookie = 0x63825363;
inline constexpr std::size_t kMinMessageSize = 576;  // RFC 2131: every client accepts this
inline constexpr std::size_t kBootpMinimumSize = 300;

struct Packet {
  std::uint8_t op = kBootRequest;
  std::uint8_t htype = 1;  // Ethernet
  std::uint8_t hlen = 6;
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  Ipv4 ciaddr, yiaddr, siaddr, giaddr;
  std::array<std::uint8_t, 16> chaddr{};
  std::string sname;  // up to 63 characters
  std::string file;   // up to 127 characters
  Options options;

  MacAddress mac() const { return MacAddress::from(ByteView(chaddr.data(), 6)); }
  bool broadcast() const { return (flags & kBroadcastFlag) != 0; }
  std::optional<MessageType> message_type() const;
};

// The start of a server's reply to `req` (RFC 2131 table 3): op, htype, hlen, xid, flags, giaddr
// and chaddr copied, ciaddr too for an ACK; options 53 = type and 54 = server_id.
Packet reply_to(const Packet& req, MessageType type, Ipv4 server_id);

// How large a reply to `req` may be: its option 57, never less than 576 and never more than an
// Ethernet frame holds (1472).
std::size_t reply_size_limit(const Packet& req);

// Decodes a BOOTP/DHCP message. Option overload (52) is honoured and repeated options are
// joined (RFC 3396).
Result<Packet> decode(ByteView data);

// Encodes a message. Options are written with 53 first, values longer than 255 bytes are split
// (RFC 3396); options that would exceed max_size are left out (the first ones written are the
// essential ones, so callers add options in order of importance). The result is padded to the
// BOOTP minimum of 300 bytes.
Bytes encode(const Packet& p, std::size_t max_size = kMinMessageSize);

}  // namespace pxed::dhcp

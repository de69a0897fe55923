// ARP for Ethernet and IPv4 (RFC 826): the 28-byte message that follows the Ethernet header.
// Pure codec. Used to probe an address before it is leased (RFC 5227 probe: sender address 0).
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::net {

struct ArpPacket {
  static constexpr std::uint16_t kRequest = 1, kReply = 2;
  std::uint16_t op = kRequest;
  MacAddress sender_mac;
  Ipv4 sender_ip;
  MacAddress target_mac;
  Ipv4 target_ip;
  bool operator==(const ArpPacket&) const = default;
};

inline constexpr std::size_t kArpSize = 28;

Bytes encode_arp(const ArpPacket& p);
// nullopt unless it is an Ethernet/IPv4 ARP request or reply; trailing padding is ignored.
std::optional<ArpPacket> decode_arp(ByteView data);

// "Who has `target`?" from `own_mac`, with sender address 0.0.0.0, so that no host adds us to its
// ARP cache (RFC 5227 §2.1.1).
ArpPacket arp_probe(const MacAddress& own_mac, Ipv4 target);

}  // namespace pxed::net

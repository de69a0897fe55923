// DHCP options: code -> raw bytes, with typed accessors. One constexpr definition table
// (RFC 2132 plus the PXE options) names and types every option we know; it drives
// pretty-printing now and config names later.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/net_types.h"

namespace pxed::dhcp {

namespace opt {
inline constexpr std::uint8_t kPad = 0;
inline constexpr std::uint8_t kSubnetMask = 1;
inline constexpr std::uint8_t kRouter = 3;
inline constexpr std::uint8_t kDnsServers = 6;
inline constexpr std::uint8_t kHostName = 12;
inline constexpr std::uint8_t kDomainName = 15;
inline constexpr std::uint8_t kBroadcastAddress = 28;
inline constexpr std::uint8_t kVendorSpecific = 43;
inline constexpr std::uint8_t kRequestedAddress = 50;
inline constexpr std::uint8_t kLeaseTime = 51;
inline constexpr std::uint8_t kOverload = 52;
inline constexpr std::uint8_t kMessageType = 53;
inline constexpr std::uint8_t kServerId = 54;
inline constexpr std::uint8_t kParameterRequestList = 55;
inline constexpr std::uint8_t kMessage = 56;
inline constexpr std::uint8_t kMaxMessageSize = 57;
inline constexpr std::uint8_t kRenewalTime = 58;
inline constexpr std::uint8_t kRebindingTime = 59;
inline constexpr std::uint8_t kVendorClass = 60;
inline constexpr std::uint8_t kClientId = 61;
inline constexpr std::uint8_t kTftpServerName = 66;
inline constexpr std::uint8_t kBootFileName = 67;
inline constexpr std::uint8_t kUserClass = 77;
inline constexpr std::uint8_t kRelayAgentInfo = 82;
inline constexpr std::uint8_t kClientArch = 93;
inline constexpr std::uint8_t kClientNdi = 94;
inline constexpr std::uint8_t kClientUuid = 97;
inline constexpr std::uint8_t kIpxeEncap = 175;
inline constexpr std::uint8_t kEnd = 255;
}  // namespace opt

enum class OptionType : std::uint8_t {
  bytes,
  ipv4,
  ipv4_list,
  u8,
  u16,
  u32,
  string,
  u8_list,
};

struct OptionDef {
  std::uint8_t code;
  std::string_view name;
  OptionType type;
};

// The definition of a known option, or nullptr.
const OptionDef* find_option_def(std::uint8_t code);
// By its config name ("routers", "domain-name-servers"...), or nullptr.
const OptionDef* find_option_def(std::string_view name);
std::span<const OptionDef> option_defs();

// Options as the codec found them (repeated instances already joined, RFC 3396), ordered by
// insertion for encoding. Values are raw bytes; accessors check lengths.
class Options {
 public:
  void set(std::uint8_t code, Bytes value);
  void set_u8(std::uint8_t code, std::uint8_t v) { set(code, Bytes{v}); }
  void set_u16(std::uint8_t code, std::uint16_t v);
  void set_u32(std::uint8_t code, std::uint32_t v);
  void set_ip(std::uint8_t code, Ipv4 ip);
  void set_ips(std::uint8_t code, const std::vector<Ipv4>& ips);
  void set_string(std::uint8_t code, std::string_view s);
  void append(std::uint8_t code, ByteView more);  // join a repeated option
  void erase(std::uint8_t code);

  bool has(std::uint8_t code) const;
  const Bytes* get(std::uint8_t code) const;
  std::optional<std::uint8_t> u8(std::uint8_t code) const;
  std::optional<std::uint16_t> u16(std::uint8_t code) const;
  std::optional<std::uint32_t> u32(std::uint8_t code) const;
  std::optional<Ipv4> ip(std::uint8_t code) const;
  std::optional<std::string> string(std::uint8_t code) const;

  // In insertion order.
  const std::vector<std::pair<std::uint8_t, Bytes>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::uint8_t, Bytes>> entries_;
};

}  // namespace pxed::dhcp

// validate(): every rule a config must satisfy before pxed serves it, checked on the whole of it
// so one run reports every problem. Works on a Config from the loader (with its SourceMap, for
// FILE:LINE:COL) or one built from command-line flags (no SourceMap: errors name the key path).
#pragma once

#include <cstdint>

#include "config/config.h"
#include "config/config_error.h"

namespace pxed::config {

ConfigErrors validate(const Config& config, const SourceMap* sources = nullptr);

// The lease time, T1 and T2 a subnet hands out. A subnet's own renew/rebind time wins; a subnet
// that sets its own lease-time derives the others from it (T1 = lease/2, T2 = lease*7/8) unless
// it sets them too; otherwise the [dhcp] values, with the same defaults.
struct LeaseTimes {
  std::uint32_t lease = 0;
  std::uint32_t renew = 0;   // T1
  std::uint32_t rebind = 0;  // T2
};
LeaseTimes lease_times(const DhcpConfig& dhcp, const Subnet& subnet);
LeaseTimes lease_times(const DhcpConfig& dhcp);  // the [dhcp] level alone

inline constexpr std::uint32_t kMinLeaseTime = 60;
inline constexpr std::uint32_t kMaxLeaseTime = 31536000;  // one year
inline constexpr std::uint32_t kMaxOfferHold = 3600;
inline constexpr std::uint16_t kMinBlksize = 8;
inline constexpr std::uint16_t kMaxBlksize = 65464;
inline constexpr std::uint16_t kMaxWindowsize = 64;

}  // namespace pxed::config

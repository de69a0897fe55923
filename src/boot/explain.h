// `pxed explain`: what a machine would boot, stage by stage, without powering it on. Pure: the
// policy and what the machine would say in, text out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "boot/policy.h"

namespace pxed::boot {

struct ExplainInput {
  MacAddress mac;
  std::optional<std::uint16_t> arch;
  std::string user_class;  // "iPXE": explain only what iPXE gets
  Ipv4 ip;                 // the address DHCP gives it, if known
  std::optional<Bytes> uuid;
  std::string hostname;
  std::string reservation_boot_file;  // a DHCP reservation's boot-file, if one matches
};

std::string explain(const Policy& policy, const ExplainInput& in, std::int64_t now);

}  // namespace pxed::boot

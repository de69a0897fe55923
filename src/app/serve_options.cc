#include "app/serve_options.h"

#include <fmt/format.h>

#include "boot/arch_table.h"

namespace pxed::app {

Result<config::AddressRange> parse_range(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    return fail(Errc::invalid_argument, fmt::format("--dhcp-range '{}' is not START-END", text));
  }
  auto start = Ipv4::parse(text.substr(0, dash));
  auto end = Ipv4::parse(text.substr(dash + 1));
  if (!start || !end) {
    return fail(Errc::invalid_argument,
                fmt::format("--dhcp-range '{}': both ends must be IPv4 addresses", text));
  }
  if (*end < *start) {
    return fail(Errc::invalid_argument,
                fmt::format("--dhcp-range '{}' ends before it starts", text));
  }
  return config::AddressRange{*start, *end};
}

Result<std::map<std::uint16_t, std::string>> parse_boot_files(
    const std::vector<std::string>& specs) {
  std::map<std::uint16_t, std::string> out;
  for (const std::string& spec : specs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return fail(Errc::invalid_argument, fmt::format("--boot-file '{}' is not ARCH=FILE", spec));
    }
    std::uint16_t storage = 0;
    auto codes = boot::parse_arch_keyword(std::string_view(spec).substr(0, eq), storage);
    if (codes.empty()) {
      return fail(
          Errc::invalid_argument,
          fmt::format("--boot-file '{}': ARCH must be bios, efi32, efi64, arm32, arm64 or an "
                      "option 93 number",
                      spec));
    }
    for (std::uint16_t c : codes) out[c] = spec.substr(eq + 1);
  }
  return out;
}

Result<std::vector<Ipv4>> parse_addresses(const std::vector<std::string>& texts,
                                          std::string_view what) {
  std::vector<Ipv4> out;
  for (const std::string& t : texts) {
    auto ip = Ipv4::parse(t);
    if (!ip)
      return fail(Errc::invalid_argument, fmt::format("{} '{}' is not an IPv4 address", what, t));
    out.push_back(*ip);
  }
  return out;
}

}  // namespace pxed::app

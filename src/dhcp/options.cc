#include "dhcp/options.h"

#include <algorithm>
#include <array>

namespace pxed::dhcp {

namespace {

constexpr std::array kDefs = {
    OptionDef{1, "subnet-mask", OptionType::ipv4},
    OptionDef{2, "time-offset", OptionType::u32},
    OptionDef{3, "routers", OptionType::ipv4_list},
    OptionDef{6, "domain-name-servers", OptionType::ipv4_list},
    OptionDef{12, "host-name", OptionType::string},
    OptionDef{15, "domain-name", OptionType::string},
    OptionDef{17, "root-path", OptionType::string},
    OptionDef{26, "interface-mtu", OptionType::u16},
    OptionDef{28, "broadcast-address", OptionType::ipv4},
    OptionDef{42, "ntp-servers", OptionType::ipv4_list},
    OptionDef{43, "vendor-encapsulated-options", OptionType::bytes},
    OptionDef{50, "requested-address", OptionType::ipv4},
    OptionDef{51, "lease-time", OptionType::u32},
    OptionDef{52, "option-overload", OptionType::u8},
    OptionDef{53, "message-type", OptionType::u8},
    OptionDef{54, "server-identifier", OptionType::ipv4},
    OptionDef{55, "parameter-request-list", OptionType::u8_list},
    OptionDef{56, "message", OptionType::string},
    OptionDef{57, "max-message-size", OptionType::u16},
    OptionDef{58, "renewal-time", OptionType::u32},
    OptionDef{59, "rebinding-time", OptionType::u32},
    OptionDef{60, "vendor-class-identifier", OptionType::string},
    OptionDef{61, "client-identifier", OptionType::bytes},
    OptionDef{66, "tftp-server-name", OptionType::string},
    OptionDef{67, "boot-file-name", OptionType::string},
    OptionDef{77, "user-class", OptionType::bytes},
    OptionDef{82, "relay-agent-information", OptionType::bytes},
    OptionDef{93, "client-system-architecture", OptionType::u16},
    OptionDef{94, "client-network-interface", OptionType::bytes},
    OptionDef{97, "client-machine-identifier", OptionType::bytes},
    OptionDef{119, "domain-search", OptionType::bytes},
    OptionDef{121, "classless-static-routes", OptionType::bytes},
    OptionDef{175, "ipxe-encapsulated-options", OptionType::bytes},
};

}  // namespace

const OptionDef* find_option_def(std::uint8_t code) {
  auto it =
      std::find_if(kDefs.begin(), kDefs.end(), [&](const OptionDef& d) { return d.code == code; });
  return it == kDefs.end() ? nullptr : &*it;
}

const OptionDef* find_option_def(std::string_view name) {
  auto it =
      std::find_if(kDefs.begin(), kDefs.end(), [&](const OptionDef& d) { return d.name == name; });
  return it == kDefs.end() ? nullptr : &*it;
}

std::span<const OptionDef> option_defs() {
  return kDefs;
}

void Options::set(std::uint8_t code, Bytes value) {
  for (auto& [c, v] : entries_) {
    if (c == code) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(code, std::move(value));
}

void Options::set_u16(std::uint8_t code, std::uint16_t v) {
  ByteWriter w;
  w.u16(v);
  set(code, w.take());
}

void Options::set_u32(std::uint8_t code, std::uint32_t v) {
  ByteWriter w;
  w.u32(v);
  set(code, w.take());
}

void Options::set_ip(std::uint8_t code, Ipv4 ip) {
  auto b = ip.bytes();
  set(code, Bytes(b.begin(), b.end()));
}

void Options::set_ips(std::uint8_t code, const std::vector<Ipv4>& ips) {
  Bytes out;
  for (Ipv4 ip : ips) {
    auto b = ip.bytes();
    out.insert(out.end(), b.begin(), b.end());
  }
  set(code, std::move(out));
}

void Options::set_string(std::uint8_t code, std::string_view s) {
  set(code, Bytes(s.begin(), s.end()));
}

void Options::append(std::uint8_t code, ByteView more) {
  for (auto& [c, v] : entries_) {
    if (c == code) {
      v.insert(v.end(), more.begin(), more.end());
      return;
    }
  }
  entries_.emplace_back(code, Bytes(more.begin(), more.end()));
}

void Options::erase(std::uint8_t code) {
  std::erase_if(entries_, [&](const auto& e) { return e.first == code; });
}

bool Options::has(std::uint8_t code) const {
  return get(code) != nullptr;
}

const Bytes* Options::get(std::uint8_t code) const {
  for (const auto& [c, v] : entries_) {
    if (c == code) return &v;
  }
  return nullptr;
}

std::optional<std::uint8_t> Options::u8(std::uint8_t code) const {
  const Bytes* v = get(code);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

std::optional<std::uint16_t> Options::u16(std::uint8_t code) const {
  const Bytes* v = get(code);
  if (!v || v->size() != 2) return std::nullopt;
  return static_cast<std::uint16_t>(((*v)[0] << 8) | (*v)[1]);
}

std::optional<std::uint32_t> Options::u32(std::uint8_t code) const {
  const Bytes* v = get(code);
  if (!v || v->size() != 4) return std::nullopt;
  ByteReader r(*v);
  return r.u32();
}

std::optional<Ipv4> Options::ip(std::uint8_t code) const {
  const Bytes* v = get(code);
  if (!v || v->size() != 4) return std::nullopt;
  return Ipv4::from(*v);
}

std::optional<std::string> Options::string(std::uint8_t code) const {
  const Bytes* v = get(code);
  if (!v) return std::nullopt;
  std::string s(v->begin(), v->end());
  // Some clients NUL-terminate strings; the terminator is not part of the value.
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

}  // namespace pxed::dhcp

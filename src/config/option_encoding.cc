#include "config/option_encoding.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "core/net_types.h"

namespace pxed::config {

using dhcp::OptionType;

namespace {

std::optional<unsigned> parse_decimal(std::string_view text) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string describe_scalar(const OptionScalar& s) {
  if (const auto* i = std::get_if<std::int64_t>(&s)) return fmt::format("{}", *i);
  return fmt::format("\"{}\"", std::get<std::string>(s));
}

tl::unexpected<EncodeError> error(std::string message, std::optional<std::size_t> item = {}) {
  return tl::unexpected(EncodeError{std::move(message), item});
}

// The single scalar of a non-array value.
const OptionScalar* single(const OptionInput& in) {
  return !in.is_array && in.items.size() == 1 ? &in.items[0] : nullptr;
}

tl::expected<std::uint32_t, EncodeError> integer(const OptionScalar& s, std::uint32_t max,
                                                 std::optional<std::size_t> item) {
  const auto* i = std::get_if<std::int64_t>(&s);
  if (!i || *i < 0 || *i > std::int64_t{max}) {
    return error(fmt::format("expected an integer from 0 to {}, got {}", max, describe_scalar(s)),
                 item);
  }
  return static_cast<std::uint32_t>(*i);
}

tl::expected<Ipv4, EncodeError> address(const OptionScalar& s, std::optional<std::size_t> item) {
  const auto* text = std::get_if<std::string>(&s);
  std::optional<Ipv4> ip = text ? Ipv4::parse(*text) : std::nullopt;
  if (!ip) return error(fmt::format("expected an IPv4 address, got {}", describe_scalar(s)), item);
  return *ip;
}

}  // namespace

bool is_server_option(std::uint8_t code) {
  switch (code) {
    case dhcp::opt::kPad:
    case dhcp::opt::kRequestedAddress:
    case dhcp::opt::kLeaseTime:
    case dhcp::opt::kOverload:
    case dhcp::opt::kMessageType:
    case dhcp::opt::kServerId:
    case dhcp::opt::kParameterRequestList:
    case dhcp::opt::kMaxMessageSize:
    case dhcp::opt::kRenewalTime:
    case dhcp::opt::kRebindingTime:
    case dhcp::opt::kClientId:
    case dhcp::opt::kRelayAgentInfo:
    case dhcp::opt::kEnd:
      return true;
    default:
      return false;
  }
}

std::string server_option_message(std::uint8_t code) {
  const dhcp::OptionDef* def = dhcp::find_option_def(code);
  std::string what =
      def ? fmt::format("option {} ({})", code, def->name) : fmt::format("option {}", code);
  switch (code) {
    case dhcp::opt::kPad:
    case dhcp::opt::kEnd:
      return fmt::format("{} is framing, not an option that can be configured", what);
    case dhcp::opt::kLeaseTime:
      return fmt::format("{} is set by the server; use lease-time in [dhcp] or in the subnet",
                         what);
    case dhcp::opt::kRenewalTime:
      return fmt::format("{} is set by the server; use renew-time in [dhcp] or in the subnet",
                         what);
    case dhcp::opt::kRebindingTime:
      return fmt::format("{} is set by the server; use rebind-time in [dhcp] or in the subnet",
                         what);
    case dhcp::opt::kServerId:
      return fmt::format("{} is set by the server to the address of the interface it answers on",
                         what);
    case dhcp::opt::kClientId:
      return fmt::format(
          "{} is sent by clients, not servers; a reservation matches it with client-id", what);
    case dhcp::opt::kRelayAgentInfo:
      return fmt::format("{} is added by relays and echoed back by the server", what);
    default:
      return fmt::format("{} is managed by the server and cannot be configured", what);
  }
}

tl::expected<OptionKey, std::string> parse_option_key(std::string_view key) {
  std::optional<unsigned> number;
  if (key.starts_with("option-")) {
    number = parse_decimal(key.substr(7));
    if (!number)
      return tl::unexpected(
          fmt::format("expected option-NNN with a decimal code, got \"{}\"", key));
  } else if (!key.empty() && key[0] >= '0' && key[0] <= '9') {
    number = parse_decimal(key);
    if (!number)
      return tl::unexpected(fmt::format("expected an option name or code, got \"{}\"", key));
  }
  if (number) {
    if (*number < 1 || *number > 254) {
      return tl::unexpected(fmt::format("option code {} is outside 1..254", *number));
    }
    auto code = static_cast<std::uint8_t>(*number);
    if (is_server_option(code)) return tl::unexpected(server_option_message(code));
    if (const dhcp::OptionDef* def = dhcp::find_option_def(code)) {
      return OptionKey{code, def->type, std::string(def->name)};
    }
    return OptionKey{code, OptionType::bytes, fmt::format("option-{}", code)};
  }
  const dhcp::OptionDef* def = dhcp::find_option_def(key);
  if (!def) {
    return tl::unexpected(
        fmt::format("unknown option \"{}\"; use a name from the option table or option-NNN", key));
  }
  if (is_server_option(def->code)) return tl::unexpected(server_option_message(def->code));
  return OptionKey{def->code, def->type, std::string(def->name)};
}

tl::expected<Bytes, std::string> parse_byte_string(std::string_view text) {
  if (text.starts_with("text:")) {
    text.remove_prefix(5);
    return Bytes(text.begin(), text.end());
  }
  auto bad = [&] {
    return tl::unexpected(fmt::format(
        "expected hex bytes like \"01:02:ab\" or \"0102ab\", or \"text:...\", got \"{}\"", text));
  };
  auto hex_byte = [](std::string_view digits) -> std::optional<std::uint8_t> {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
    if (digits.empty() || digits.size() > 2 || ec != std::errc() ||
        p != digits.data() + digits.size()) {
      return std::nullopt;
    }
    return static_cast<std::uint8_t>(v);
  };
  Bytes out;
  if (text.empty()) return out;
  if (text.find(':') != std::string_view::npos) {
    std::size_t start = 0;
    for (;;) {
      std::size_t colon = text.find(':', start);
      auto b =
          hex_byte(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
      if (!b) return bad();
      out.push_back(*b);
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    return out;
  }
  if (text.size() % 2 != 0) return bad();
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto b = hex_byte(text.substr(i, 2));
    if (!b) return bad();
    out.push_back(*b);
  }
  return out;
}

tl::expected<Bytes, EncodeError> encode_option(OptionType type, const OptionInput& in) {
  ByteWriter w;
  switch (type) {
    case OptionType::ipv4: {
      const OptionScalar* s = single(in);
      if (!s) return error("expected one IPv4 address as a string, got an array");
      auto ip = address(*s, std::nullopt);
      if (!ip) return tl::unexpected(ip.error());
      w.bytes(ip->bytes());
      return w.take();
    }
    case OptionType::ipv4_list: {
      if (in.items.empty()) return error("expected at least one IPv4 address, got an empty array");
      for (std::size_t i = 0; i < in.items.size(); ++i) {
        auto ip = address(in.items[i], in.is_array ? std::optional(i) : std::nullopt);
        if (!ip) return tl::unexpected(ip.error());
        w.bytes(ip->bytes());
      }
      return w.take();
    }
    case OptionType::u8:
    case OptionType::u16:
    case OptionType::u32: {
      const OptionScalar* s = single(in);
      if (!s) return error("expected one integer, got an array");
      std::uint32_t max = type == OptionType::u8    ? 0xff
                          : type == OptionType::u16 ? 0xffff
                                                    : 0xffffffffu;
      auto v = integer(*s, max, std::nullopt);
      if (!v) return tl::unexpected(v.error());
      if (type == OptionType::u8) w.u8(static_cast<std::uint8_t>(*v));
      if (type == OptionType::u16) w.u16(static_cast<std::uint16_t>(*v));
      if (type == OptionType::u32) w.u32(*v);
      return w.take();
    }
    case OptionType::string: {
      const OptionScalar* s = single(in);
      const auto* text = s ? std::get_if<std::string>(s) : nullptr;
      if (!text) {
        return error(s ? fmt::format("expected a string, got {}", describe_scalar(*s))
                       : std::string("expected a string, got an array"));
      }
      if (text->empty()) return error("expected a string, got an empty one");
      w.str(*text);
      return w.take();
    }
    case OptionType::u8_list: {
      if (in.items.empty()) return error("expected at least one integer, got an empty array");
      for (std::size_t i = 0; i < in.items.size(); ++i) {
        auto v = integer(in.items[i], 0xff, in.is_array ? std::optional(i) : std::nullopt);
        if (!v) return tl::unexpected(v.error());
        w.u8(static_cast<std::uint8_t>(*v));
      }
      return w.take();
    }
    case OptionType::bytes: {
      if (const OptionScalar* s = single(in)) {
        const auto* text = std::get_if<std::string>(s);
        if (!text) {
          return error(
              fmt::format("expected hex bytes like \"01:02:ab\", \"text:...\" or an array of byte "
                          "values, got {}",
                          describe_scalar(*s)));
        }
        auto bytes = parse_byte_string(*text);
        if (!bytes) return error(bytes.error());
        return std::move(*bytes);
      }
      for (std::size_t i = 0; i < in.items.size(); ++i) {
        auto v = integer(in.items[i], 0xff, i);
        if (!v) return tl::unexpected(v.error());
        w.u8(static_cast<std::uint8_t>(*v));
      }
      return w.take();
    }
  }
  return error("unknown option type");
}

std::optional<std::string> check_option_data(OptionType type, ByteView data) {
  auto size_error = [&](std::string_view expected) {
    return fmt::format("expected {}, got {} bytes", expected, data.size());
  };
  switch (type) {
    case OptionType::ipv4:
      if (data.size() != 4) return size_error("4 bytes (an IPv4 address)");
      break;
    case OptionType::ipv4_list:
      if (data.empty() || data.size() % 4 != 0) return size_error("a multiple of 4 bytes");
      break;
    case OptionType::u8:
      if (data.size() != 1) return size_error("1 byte");
      break;
    case OptionType::u16:
      if (data.size() != 2) return size_error("2 bytes");
      break;
    case OptionType::u32:
      if (data.size() != 4) return size_error("4 bytes");
      break;
    case OptionType::string:
    case OptionType::u8_list:
      if (data.empty()) return size_error("at least 1 byte");
      break;
    case OptionType::bytes:
      break;
  }
  return std::nullopt;
}

std::string_view describe_type(OptionType type) {
  switch (type) {
    case OptionType::bytes:
      return "bytes";
    case OptionType::ipv4:
      return "an IPv4 address";
    case OptionType::ipv4_list:
      return "a list of IPv4 addresses";
    case OptionType::u8:
      return "an integer 0..255";
    case OptionType::u16:
      return "an integer 0..65535";
    case OptionType::u32:
      return "an integer 0..4294967295";
    case OptionType::string:
      return "a string";
    case OptionType::u8_list:
      return "a list of integers 0..255";
  }
  return "?";
}

}  // namespace pxed::config

// DHCP option values as written in the config, typed by the option definition table
// (dhcp/options.h) and encoded to their wire bytes. Pure; knows nothing of TOML: the loader hands
// it plain integers and strings.
//
//   type       config value                                   wire
//   ipv4       "198.18.0.1"                                   4 bytes
//   ipv4_list  ["198.18.0.1", "198.18.0.2"] or one string     4 bytes each
//   u8/u16/u32 integer, range-checked                         1/2/4 bytes, network order
//   string     "lab.example" (not empty)                      the characters, no NUL
//   u8_list    [1, 3, 6] or one integer                       1 byte each
//   bytes      "01:02:ab" or "0102ab" (hex), "text:PXEClient"  the bytes / the characters
//              (text after the prefix), or [1, 2, 171]
// Options not in the table are given as "option-NNN" or "NNN" and are bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "core/bytes.h"
#include "dhcp/options.h"

namespace pxed::config {

// Options the server computes for every reply (pad, end, requested address, lease time, overload,
// message type, server identifier, parameter request list, max message size, T1, T2, client-id,
// relay agent information): the config may not set them.
bool is_server_option(std::uint8_t code);
// Why the config may not set code, pointing to the setting to use when there is one.
std::string server_option_message(std::uint8_t code);

struct OptionKey {
  std::uint8_t code = 0;
  dhcp::OptionType type = dhcp::OptionType::bytes;
  std::string name;  // the table name, or "option-NNN" for codes the table does not know
};

// "routers" (a table name), "option-252" or "252" -> code and type. A number that names a known
// option takes that option's type. Rejects unknown names, codes outside 1..254 and server
// options, with the reason.
tl::expected<OptionKey, std::string> parse_option_key(std::string_view key);

// One config value before typing: a scalar, or an array of scalars.
using OptionScalar = std::variant<std::int64_t, std::string>;
struct OptionInput {
  std::vector<OptionScalar> items;
  bool is_array = false;
};

struct EncodeError {
  std::string message;              // "expected an IPv4 address, got \"x\""
  std::optional<std::size_t> item;  // the array element at fault, if one
};

tl::expected<Bytes, EncodeError> encode_option(dhcp::OptionType type, const OptionInput& value);

// "01:02:ab", "0102AB" -> bytes; "text:PXEClient" -> its characters; "" -> no bytes.
tl::expected<Bytes, std::string> parse_byte_string(std::string_view text);

// Whether data is well-formed for type (for options built outside the loader); the reason if not.
std::optional<std::string> check_option_data(dhcp::OptionType type, ByteView data);

// "ipv4_list" -> "a list of IPv4 addresses": for messages.
std::string_view describe_type(dhcp::OptionType type);

}  // namespace pxed::config

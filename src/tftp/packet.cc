#include "tftp/packet.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace pxed::tftp {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Takes one NUL-terminated string off the front of `rest`; nullopt if there is no NUL.
std::optional<std::string_view> take_cstring(ByteView& rest) {
  auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
  if (nul == rest.end()) return std::nullopt;
  auto len = static_cast<std::size_t>(nul - rest.begin());
  std::string_view s = as_chars(rest.first(len));
  rest = rest.subspan(len + 1);
  return s;
}

bool all_nul(ByteView rest) {
  return std::all_of(rest.begin(), rest.end(), [](std::uint8_t b) { return b == 0; });
}

// Name/value pairs up to the end of the datagram (requests and OACKs).
Result<std::vector<TftpOption>> decode_options(ByteView rest) {
  std::vector<TftpOption> options;
  while (!rest.empty() && !all_nul(rest)) {
    auto name = take_cstring(rest);
    if (!name) return fail(Errc::malformed, "option name without NUL terminator");
    if (name->empty()) return fail(Errc::malformed, "empty option name");
    if (rest.empty()) {
      return fail(Errc::malformed,
                  fmt::format("option '{}' has no value (odd option count)", *name));
    }
    auto value = take_cstring(rest);
    if (!value) return fail(Errc::malformed, fmt::format("option '{}' value without NUL", *name));
    options.push_back({std::string(*name), std::string(*value)});
  }
  return options;
}

Result<Packet> decode_request(bool write, ByteView rest) {
  auto filename = take_cstring(rest);
  if (!filename) return fail(Errc::malformed, "filename without NUL terminator");
  if (filename->empty()) return fail(Errc::malformed, "empty filename");
  auto mode = take_cstring(rest);
  if (!mode) return fail(Errc::malformed, "mode without NUL terminator");
  if (mode->empty()) return fail(Errc::malformed, "empty mode");
  auto options = decode_options(rest);
  if (!options) return tl::unexpected(options.error());
  return Request{write, std::string(*filename), std::string(*mode), std::move(*options)};
}

void put_options(ByteWriter& w, const std::vector<TftpOption>& options) {
  for (const auto& o : options) {
    w.str(o.name);
    w.u8(0);
    w.str(o.value);
    w.u8(0);
  }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

const std::string* find_option(const std::vector<TftpOption>& options, std::string_view name) {
  for (const auto& o : options) {
    if (iequals(o.name, name)) return &o.value;
  }
  return nullptr;
}

Result<Packet> decode(ByteView datagram) {
  if (datagram.size() < 2) return fail(Errc::truncated, "shorter than an opcode");
  ByteReader r(datagram);
  std::uint16_t op = r.u16();
  switch (op) {
    case static_cast<std::uint16_t>(Opcode::rrq):
    case static_cast<std::uint16_t>(Opcode::wrq):
      return decode_request(op == static_cast<std::uint16_t>(Opcode::wrq), r.rest());
    case static_cast<std::uint16_t>(Opcode::data): {
      if (r.remaining() < 2) return fail(Errc::truncated, "DATA without a block number");
      std::uint16_t block = r.u16();
      ByteView payload = r.rest();
      return DataPacket{block, Bytes(payload.begin(), payload.end())};
    }
    case static_cast<std::uint16_t>(Opcode::ack): {
      if (r.remaining() < 2) return fail(Errc::truncated, "ACK without a block number");
      return AckPacket{r.u16()};
    }
    case static_cast<std::uint16_t>(Opcode::error): {
      if (r.remaining() < 2) return fail(Errc::truncated, "ERROR without an error code");
      std::uint16_t code = r.u16();
      ByteView rest = r.rest();
      auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
      std::string message(as_chars(rest.first(static_cast<std::size_t>(nul - rest.begin()))));
      return ErrorPacket{code, std::move(message)};
    }
    case static_cast<std::uint16_t>(Opcode::oack): {
      auto options = decode_options(r.rest());
      if (!options) return tl::unexpected(options.error());
      return OackPacket{std::move(*options)};
    }
    default:
      return fail(Errc::malformed, fmt::format("unknown opcode {}", op));
  }
}

std::string describe(const Packet& packet) {
  struct Visitor {
    std::string operator()(const Request& p) const { return p.write ? "WRQ" : "RRQ"; }
    std::string operator()(const DataPacket& p) const { return fmt::format("DATA {}", p.block); }
    std::string operator()(const AckPacket& p) const { return fmt::format("ACK {}", p.block); }
    std::string operator()(const ErrorPacket& p) const { return fmt::format("ERROR {}", p.code); }
    std::string operator()(const OackPacket&) const { return "OACK"; }
  };
  return std::visit(Visitor{}, packet);
}

Bytes encode_request(const Request& request) {
  ByteWriter w(64);
  w.u16(static_cast<std::uint16_t>(request.write ? Opcode::wrq : Opcode::rrq));
  w.str(request.filename);
  w.u8(0);
  w.str(request.mode);
  w.u8(0);
  put_options(w, request.options);
  return w.take();
}

void write_data_header(std::uint8_t* out, std::uint16_t block) {
  out[0] = 0;
  out[1] = static_cast<std::uint8_t>(Opcode::data);
  out[2] = static_cast<std::uint8_t>(block >> 8);
  out[3] = static_cast<std::uint8_t>(block);
}

Bytes encode_data(std::uint16_t block, ByteView payload) {
  Bytes out(kDataHeaderSize + payload.size());
  write_data_header(out.data(), block);
  std::copy(payload.begin(), payload.end(), out.begin() + kDataHeaderSize);
  return out;
}

Bytes encode_ack(std::uint16_t block) {
  ByteWriter w(4);
  w.u16(static_cast<std::uint16_t>(Opcode::ack));
  w.u16(block);
  return w.take();
}

Bytes encode_error(std::uint16_t code, std::string_view message) {
  ByteWriter w(5 + message.size());
  w.u16(static_cast<std::uint16_t>(Opcode::error));
  w.u16(code);
  // A NUL inside the message would end it early on the wire; cut it there ourselves.
  w.str(message.substr(0, message.find('\0')));
  w.u8(0);
  return w.take();
}

Bytes encode_error(ErrorCode code, std::string_view message) {
  return encode_error(static_cast<std::uint16_t>(code), message);
}

Bytes encode_oack(const std::vector<TftpOption>& options) {
  ByteWriter w(64);
  w.u16(static_cast<std::uint16_t>(Opcode::oack));
  put_options(w, options);
  return w.take();
}

}  // namespace pxed::tftp

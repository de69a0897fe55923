#include "dhcp/packet.h"

#include <algorithm>

#include <fmt/format.h>

namespace pxed::dhcp {

std::string_view to_string(MessageType t) {
  switch (t) {
    case MessageType::discover:
      return "DISCOVER";
    case MessageType::offer:
      return "OFFER";
    case MessageType::request:
      return "REQUEST";
    case MessageType::decline:
      return "DECLINE";
    case MessageType::ack:
      return "ACK";
    case MessageType::nak:
      return "NAK";
    case MessageType::release:
      return "RELEASE";
    case MessageType::inform:
      return "INFORM";
  }
  return "UNKNOWN";
}

std::optional<MessageType> Packet::message_type() const {
  auto v = options.u8(opt::kMessageType);
  if (!v || *v < 1 || *v > 8) return std::nullopt;
  return static_cast<MessageType>(*v);
}

namespace {

// Parses one option area into `out`. Returns an error message or empty on success.
std::string parse_options(ByteView area, std::string_view where, Options& out) {
  ByteReader r(area);
  while (!r.at_end()) {
    std::uint8_t code = r.u8();
    if (code == opt::kPad) continue;
    if (code == opt::kEnd) return {};
    if (r.at_end()) return fmt::format("option {} in {} has no length byte", code, where);
    std::uint8_t len = r.u8();
    ByteView value = r.take(len);
    if (!r.ok()) {
      return fmt::format("option {} in {} claims {} bytes but only {} remain", code, where, len,
                         area.size() - (r.position()));
    }
    out.append(code, value);  // a repeated option continues the first one (RFC 3396)
  }
  // Running off the end without an END option is tolerated: several clients omit it.
  return {};
}

std::string field_string(ByteView field) {
  auto nul = std::find(field.begin(), field.end(), std::uint8_t{0});
  return std::string(field.begin(), nul);
}

}  // namespace

Result<Packet> decode(ByteView data) {
  if (data.size() < kFixedHeaderSize + 4) {
    return fail(Errc::truncated,
                fmt::format("{} bytes is shorter than a DHCP header", data.size()));
  }
  ByteReader r(data);
  Packet p;
  p.op = r.u8();
  p.htype = r.u8();
  p.hlen = r.u8();
  p.hops = r.u8();
  p.xid = r.u32();
  p.secs = r.u16();
  p.flags = r.u16();
  p.ciaddr = Ipv4(r.u32());
  p.yiaddr = Ipv4(r.u32());
  p.siaddr = Ipv4(r.u32());
  p.giaddr = Ipv4(r.u32());
  ByteView chaddr = r.take(16);
  ByteView sname = r.take(64);
  ByteView file = r.take(128);
  std::uint32_t cookie = r.u32();
  if (!r.ok()) return fail(Errc::truncated, "header cut short");
  if (p.op != kBootRequest && p.op != kBootReply) {
    return fail(Errc::malformed, fmt::format("op {} is neither BOOTREQUEST nor BOOTREPLY", p.op));
  }
  if (p.hlen > 16)
    return fail(Errc::malformed, fmt::format("hardware length {} exceeds 16", p.hlen));
  if (cookie != kMagicCookie) return fail(Errc::unsupported, "no DHCP magic cookie (plain BOOTP)");
  std::copy(chaddr.begin(), chaddr.end(), p.chaddr.begin());

  if (auto err = parse_options(r.rest(), "options", p.options); !err.empty()) {
    return fail(Errc::malformed, err);
  }
  std::uint8_t overload = p.options.u8(opt::kOverload).value_or(0);
  if (overload > 3) return fail(Errc::malformed, fmt::format("option overload value {}", overload));
  // RFC 2131 §4.1: the file field is read before sname when both carry options.
  if (overload & 1) {
    if (auto err = parse_options(file, "file field", p.options); !err.empty()) {
      return fail(Errc::malformed, err);
    }
  } else {
    p.file = field_string(file);
  }
  if (overload & 2) {
    if (auto err = parse_options(sname, "sname field", p.options); !err.empty()) {
      return fail(Errc::malformed, err);
    }
  } else {
    p.sname = field_string(sname);
  }
  return p;
}

namespace {

void write_option(ByteWriter& w, std::uint8_t code, ByteView value) {
  if (value.empty()) {
    w.u8(code);
    w.u8(0);
    return;
  }
  while (!value.empty()) {
    std::size_t chunk = std::min<std::size_t>(value.size(), 255);
    w.u8(code);
    w.u8(static_cast<std::uint8_t>(chunk));
    w.bytes(value.first(chunk));
    value = value.subspan(chunk);
  }
}

std::size_t encoded_size(std::size_t value_size) {
  std::size_t chunks = value_size == 0 ? 1 : (value_size + 254) / 255;
  return value_size + 2 * chunks;
}

void write_field(ByteWriter& w, const std::string& s, std::size_t width) {
  std::size_t n = std::min(s.size(), width - 1);  // always NUL-terminated
  w.str(std::string_view(s).substr(0, n));
  w.zeros(width - n);
}

}  // namespace

Bytes encode(const Packet& p, std::size_t max_size) {
  max_size = std::max(max_size, kMinMessageSize);
  ByteWriter w(kMinMessageSize);
  w.u8(p.op);
  w.u8(p.htype);
  w.u8(p.hlen);
  w.u8(p.hops);
  w.u32(p.xid);
  w.u16(p.secs);
  w.u16(p.flags);
  w.u32(p.ciaddr.value());
  w.u32(p.yiaddr.value());
  w.u32(p.siaddr.value());
  w.u32(p.giaddr.value());
  w.bytes(p.chaddr);
  write_field(w, p.sname, 64);
  write_field(w, p.file, 128);
  w.u32(kMagicCookie);

  std::size_t budget = max_size - w.size() - 1;  // keep room for END
  auto emit = [&](std::uint8_t code, const Bytes& v) {
    std::size_t need = encoded_size(v.size());
    if (need > budget) return;
    write_option(w, code, v);
    budget -= need;
  };
  if (const Bytes* mt = p.options.get(opt::kMessageType)) emit(opt::kMessageType, *mt);
  for (const auto& [code, value] : p.options.entries()) {
    if (code == opt::kMessageType || code == opt::kPad || code == opt::kEnd) continue;
    emit(code, value);
  }
  w.u8(opt::kEnd);
  if (w.size() < kBootpMinimumSize) w.zeros(kBootpMinimumSize - w.size());
  return w.take();
}

Packet reply_to(const Packet& req, MessageType type, Ipv4 server_id) {
  Packet r;
  r.op = kBootReply;
  r.htype = req.htype;
  r.hlen = req.hlen;
  r.xid = req.xid;
  r.flags = req.flags;
  r.giaddr = req.giaddr;
  r.chaddr = req.chaddr;
  if (type == MessageType::ack) r.ciaddr = req.ciaddr;
  r.options.set_u8(opt::kMessageType, static_cast<std::uint8_t>(type));
  r.options.set_ip(opt::kServerId, server_id);
  return r;
}

std::size_t reply_size_limit(const Packet& req) {
  return std::clamp<std::size_t>(req.options.u16(opt::kMaxMessageSize).value_or(kMinMessageSize),
                                 kMinMessageSize, 1472);
}

}  // namespace pxed::dhcp

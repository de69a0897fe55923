#include "tftp/negotiation.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace pxed::tftp {
namespace {

// A plain decimal number (digits only, no sign or spaces); nullopt otherwise or on overflow.
std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::optional<Refusal> check_request(const Request& request, bool uploads) {
  if (request.write && !uploads) {
    return Refusal{ErrorCode::access_violation, "access violation: this server is read-only"};
  }
  if (request.write && !iequals(request.mode, "octet")) {
    return Refusal{ErrorCode::not_defined, "uploads are taken in octet mode only"};
  }
  if (!iequals(request.mode, "octet") && !iequals(request.mode, "netascii")) {
    return Refusal{ErrorCode::not_defined, "only octet and netascii modes are supported"};
  }
  return std::nullopt;
}

Bytes to_netascii(ByteView text) {
  Bytes out;
  out.reserve(text.size() + text.size() / 32);
  for (std::uint8_t c : text) {
    if (c == '\n') {
      out.push_back('\r');
      out.push_back('\n');
    } else if (c == '\r') {
      out.push_back('\r');
      out.push_back(0);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<TransferParams> negotiate_upload(const std::vector<TftpOption>& requested,
                                        const Limits& limits, std::uint64_t max_size) {
  std::vector<TftpOption> reads;  // what a read would grant for blksize and timeout
  std::optional<TftpOption> tsize;
  for (const auto& opt : requested) {
    std::string name = lowered(opt.name);
    if (name == "tsize") {
      if (!tsize) tsize = opt;
    } else if (name != "windowsize") {
      reads.push_back(opt);
    }
  }
  TransferParams p = negotiate(reads, 0, limits);
  if (tsize) {
    auto size = parse_number(tsize->value);
    if (size && *size > max_size) {
      return fail(Errc::exhausted,
                  fmt::format("{} bytes is over the upload limit of {}", *size, max_size));
    }
    if (size) p.accepted.push_back(*tsize);
  }
  p.windowsize = 1;
  return p;
}

std::uint16_t blksize_for_mtu(unsigned mtu) {
  const unsigned payload = mtu > 32 ? mtu - 32 : 0;
  return static_cast<std::uint16_t>(
      std::clamp<unsigned>(payload, kMinBlksize, kMaxBlksize));
}

TransferParams negotiate(const std::vector<TftpOption>& requested, std::uint64_t file_size,
                         const Limits& limits) {
  const std::uint16_t max_blksize = std::clamp(limits.max_blksize, kMinBlksize, kMaxBlksize);
  const std::uint16_t max_window = std::max<std::uint16_t>(limits.max_windowsize, 1);

  TransferParams p;
  p.timeout = limits.default_timeout;
  p.retries = std::max(limits.retries, 0);
  std::vector<std::string> seen;

  for (const auto& opt : requested) {
    std::string name = lowered(opt.name);
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    auto value = parse_number(opt.value);
    if (!value) continue;

    if (name == "blksize") {
      // RFC 2348: 8..65464. A larger request is lowered rather than refused.
      if (*value < kMinBlksize) continue;
      p.blksize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*value, max_blksize));
      p.accepted.push_back({opt.name, std::to_string(p.blksize)});
    } else if (name == "timeout") {
      // RFC 2349: 1..255 seconds; the server takes it as is or leaves it out.
      if (*value < kMinTimeoutSeconds || *value > kMaxTimeoutSeconds) continue;
      p.timeout = std::chrono::seconds(*value);
      p.backoff = false;
      p.accepted.push_back({opt.name, std::to_string(*value)});
    } else if (name == "tsize") {
      // RFC 2349: in a RRQ the client sends 0 and we answer the real size. Except for an empty
      // file: curl (7.x and 8.x) fails a download whose OACK says "tsize 0", and leaving an
      // option out is always allowed (RFC 2347).
      if (file_size == 0) continue;
      p.accepted.push_back({opt.name, std::to_string(file_size)});
    } else if (name == "windowsize") {
      // RFC 7440: 1..65535, and the server may answer a smaller value.
      if (*value < 1 || *value > 65535) continue;
      p.windowsize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*value, max_window));
      p.accepted.push_back({opt.name, std::to_string(p.windowsize)});
    }
  }
  return p;
}

std::string describe_options(const std::vector<TftpOption>& accepted) {
  std::string out;
  for (const auto& o : accepted) {
    if (!out.empty()) out.push_back(' ');
    out += fmt::format("{}={}", lowered(o.name), o.value);
  }
  return out;
}

}  // namespace pxed::tftp

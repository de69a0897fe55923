// Fuzz target: the TFTP codec, and what the server does next with a decoded packet.
//
// For every input that decodes:
//  - re-encoding gives the same value back, and for RRQ/WRQ, DATA, ACK and OACK the same bytes
//    (less the NUL padding or trailing bytes the decoder tolerates);
//  - a request goes through check_request() and option negotiation (RFC 2347/2348/2349/7440)
//    against two sets of limits; the granted values respect them, the OACK round-trips, and a
//    Session starts with DATA that stays inside the file;
//  - a WRQ, with uploads on, goes through negotiate_upload(), and a ReceiveSession starts;
//  - any other packet is fed to a Session in the middle of a transfer, and to a ReceiveSession
//    in the middle of an upload, then their timers fire.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "fuzz_check.h"
#include "tftp/negotiation.h"
#include "tftp/packet.h"
#include "tftp/receive_session.h"
#include "tftp/session.h"

namespace pxed::tftp {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// `wire` is `in` up to NUL padding (the decoder ignores NULs after the last option).
bool is_prefix_then_nuls(const Bytes& wire, ByteView in) {
  if (wire.size() > in.size() || !std::equal(wire.begin(), wire.end(), in.begin())) return false;
  return std::all_of(in.begin() + static_cast<std::ptrdiff_t>(wire.size()), in.end(),
                     [](std::uint8_t b) { return b == 0; });
}

// The packet a datagram decodes to, if it decodes to a T.
template <class T>
std::optional<T> decoded_as(ByteView datagram) {
  auto r = decode(datagram);
  if (!r) return std::nullopt;
  if (const T* v = std::get_if<T>(&*r)) return *v;
  return std::nullopt;
}

// File sizes worth negotiating against: empty, one byte, around one block, large, and past
// 65535 blocks of 512 so the wire block number rolls over.
constexpr std::uint64_t kFileSizes[] = {0, 1, 511, 512, 1432, 46909, 14'000'000, 5'000'000'000};

void check_step(const Step& step, const Session& s, std::uint64_t file_size) {
  for (const Transmit& t : step.transmits) {
    if (const auto* d = std::get_if<SendData>(&t)) {
      FUZZ_CHECK(d->length <= s.params().blksize);
      FUZZ_CHECK(d->offset <= file_size && d->length <= file_size - d->offset);
    } else {
      const auto& bytes = std::get<SendBytes>(t).packet;
      FUZZ_CHECK(decoded_as<OackPacket>(bytes).has_value());
    }
  }
  FUZZ_CHECK(step.outcome.has_value() == s.finished());
  if (step.outcome) FUZZ_CHECK(!step.deadline.has_value());
}

void check_receive(const ReceiveStep& step, const ReceiveSession& s, std::uint64_t max_size) {
  if (step.write) FUZZ_CHECK(step.write->offset + step.write->data.size() <= max_size);
  FUZZ_CHECK(s.received() <= max_size);
  FUZZ_CHECK(step.outcome.has_value() == s.finished());
  if (step.send) FUZZ_CHECK(decode(*step.send).has_value());
}

void negotiate_upload_request(const Request& r) {
  auto refusal = check_request(r, true);
  if (refusal) {
    FUZZ_CHECK(!refusal->message.empty());
    return;
  }
  constexpr std::uint64_t kMax = 100000;
  auto params = negotiate_upload(r.options, Limits{}, kMax);
  if (!params) {
    FUZZ_CHECK(params.error().code == Errc::exhausted);
    return;
  }
  FUZZ_CHECK(params->windowsize == 1);
  ReceiveSession s(*params, kMax);
  auto t0 = Clock::time_point(std::chrono::seconds(1000));
  check_receive(s.start(t0), s, kMax);
  check_receive(s.on_timeout(t0 + std::chrono::seconds(300)), s, kMax);
}

void negotiate_request(const Request& r) {
  if (r.write) negotiate_upload_request(r);
  auto refusal = check_request(r);
  if (refusal) {
    FUZZ_CHECK(!refusal->message.empty());
    FUZZ_CHECK(!encode_error(refusal->code, refusal->message).empty());
    return;
  }
  const std::uint64_t file_size = kFileSizes[r.filename.size() % std::size(kFileSizes)];
  Limits tight;
  tight.max_blksize = 1468;
  tight.max_windowsize = 4;
  for (const Limits& limits : {Limits{}, tight}) {
    TransferParams params = negotiate(r.options, file_size, limits);
    FUZZ_CHECK(params.blksize >= kMinBlksize && params.blksize <= limits.max_blksize);
    FUZZ_CHECK(params.windowsize >= 1 && params.windowsize <= limits.max_windowsize);
    FUZZ_CHECK(params.timeout >= std::chrono::seconds(kMinTimeoutSeconds) &&
               params.timeout <= std::chrono::seconds(kMaxTimeoutSeconds));
    for (std::size_t i = 0; i < params.accepted.size(); ++i) {
      const TftpOption& granted = params.accepted[i];
      FUZZ_CHECK(find_option(r.options, granted.name) != nullptr);  // only what was asked
      for (std::size_t j = 0; j < i; ++j) {
        FUZZ_CHECK(!iequals(params.accepted[j].name, granted.name));  // each at most once
      }
    }
    FUZZ_CHECK(describe_options(params.accepted).empty() == params.accepted.empty());
    Bytes oack = encode_oack(params.accepted);
    auto back = decoded_as<OackPacket>(oack);
    FUZZ_CHECK(back && back->options == params.accepted);

    Session s(file_size, params);
    auto t0 = Clock::time_point(std::chrono::seconds(1000));
    check_step(s.start(t0), s, file_size);
    check_step(s.on_timeout(t0 + std::chrono::seconds(300)), s, file_size);
  }
}

// A packet arriving in the middle of a transfer: 3000 bytes in blocks of 512, window 4.
void feed_session(const Packet& packet) {
  constexpr std::uint64_t kSize = 3000;
  TransferParams params;
  params.windowsize = 4;
  Session s(kSize, params);
  auto t0 = Clock::time_point(std::chrono::seconds(1000));
  check_step(s.start(t0), s, kSize);
  check_step(s.on_packet(AckPacket{1}, t0 + std::chrono::milliseconds(5)), s, kSize);
  check_step(s.on_packet(packet, t0 + std::chrono::milliseconds(10)), s, kSize);
  check_step(s.on_timeout(t0 + std::chrono::seconds(2)), s, kSize);
  FUZZ_CHECK(s.stats().bytes_acked <= kSize);

  // The same packet during an upload limited to 1000 bytes, after one full block.
  ReceiveSession r(TransferParams{}, 1000);
  check_receive(r.start(t0), r, 1000);
  check_receive(r.on_packet(DataPacket{1, Bytes(512, 1)}, t0), r, 1000);
  check_receive(r.on_packet(packet, t0 + std::chrono::milliseconds(10)), r, 1000);
  check_receive(r.on_timeout(t0 + std::chrono::seconds(2)), r, 1000);
}

}  // namespace
}  // namespace pxed::tftp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pxed;
  using namespace pxed::tftp;
  const ByteView in(data, size);
  auto decoded = decode(in);
  if (!decoded) {
    FUZZ_CHECK(!decoded.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!describe(*decoded).empty());
  std::visit(Overloaded{
                 [&](const Request& r) {
                   Bytes wire = encode_request(r);
                   FUZZ_CHECK(is_prefix_then_nuls(wire, in));
                   FUZZ_CHECK(decoded_as<Request>(wire) == r);
                   negotiate_request(r);
                 },
                 [&](const DataPacket& d) {
                   FUZZ_CHECK(encode_data(d.block, d.payload) == Bytes(in.begin(), in.end()));
                   feed_session(d);
                 },
                 [&](const AckPacket& a) {
                   Bytes wire = encode_ack(a.block);
                   FUZZ_CHECK(wire.size() == 4 && std::equal(wire.begin(), wire.end(), in.begin()));
                   feed_session(a);
                 },
                 [&](const ErrorPacket& e) {
                   FUZZ_CHECK(decoded_as<ErrorPacket>(encode_error(e.code, e.message)) == e);
                   feed_session(e);
                 },
                 [&](const OackPacket& o) {
                   Bytes wire = encode_oack(o.options);
                   FUZZ_CHECK(is_prefix_then_nuls(wire, in));
                   FUZZ_CHECK(decoded_as<OackPacket>(wire) == o);
                   feed_session(o);
                 },
             },
             *decoded);
  return 0;
}

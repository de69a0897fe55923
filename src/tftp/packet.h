// TFTP packet codec (RFC 1350, options RFC 2347). Pure: bytes in, typed values out, and back.
// decode() rejects anything malformed with a reason; the encoders cannot fail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace pxed::tftp {

enum class Opcode : std::uint16_t { rrq = 1, wrq = 2, data = 3, ack = 4, error = 5, oack = 6 };

// Error codes of RFC 1350 and RFC 2347 (8).
enum class ErrorCode : std::uint16_t {
  not_defined = 0,
  file_not_found = 1,
  access_violation = 2,
  disk_full = 3,
  illegal_operation = 4,
  unknown_tid = 5,
  file_exists = 6,
  no_such_user = 7,
  option_refused = 8,
};

// One option of a request or an OACK. Names compare case-insensitively (RFC 2347); the codec
// keeps the spelling it saw so a round trip is byte-exact.
struct TftpOption {
  std::string name;
  std::string value;
  bool operator==(const TftpOption&) const = default;
};

bool iequals(std::string_view a, std::string_view b);

// The value of the first option called `name` (any case), or nullptr.
const std::string* find_option(const std::vector<TftpOption>& options, std::string_view name);

struct Request {
  bool write = false;  // WRQ rather than RRQ
  std::string filename;
  std::string mode;
  std::vector<TftpOption> options;  // in the order the client sent them
  bool operator==(const Request&) const = default;
};

struct DataPacket {
  std::uint16_t block = 0;
  Bytes payload;
  bool operator==(const DataPacket&) const = default;
};

struct AckPacket {
  std::uint16_t block = 0;
  bool operator==(const AckPacket&) const = default;
};

struct ErrorPacket {
  std::uint16_t code = 0;
  std::string message;
  bool operator==(const ErrorPacket&) const = default;
};

struct OackPacket {
  std::vector<TftpOption> options;
  bool operator==(const OackPacket&) const = default;
};

using Packet = std::variant<Request, DataPacket, AckPacket, ErrorPacket, OackPacket>;

// Decodes one datagram. Rejected (with a reason): fewer than 2 bytes, an unknown opcode, a
// request whose filename, mode or any option lacks its NUL terminator, an empty filename or
// mode, an empty option name, an option name without a value, an ACK or DATA shorter than 4
// bytes. Tolerated on purpose, because refusing them would only hurt real clients: NUL padding
// after the last option, bytes after an ACK's block number, and an ERROR whose message is
// missing or unterminated (the client is ending the transfer either way).
Result<Packet> decode(ByteView datagram);

// A short name for logs: "RRQ", "ACK 7", "ERROR 8"...
std::string describe(const Packet& packet);

constexpr std::size_t kDataHeaderSize = 4;  // opcode + block number

Bytes encode_request(const Request& request);
Bytes encode_data(std::uint16_t block, ByteView payload);
Bytes encode_ack(std::uint16_t block);
Bytes encode_error(ErrorCode code, std::string_view message);
Bytes encode_error(std::uint16_t code, std::string_view message);
Bytes encode_oack(const std::vector<TftpOption>& options);

// Writes the 4-byte DATA header in place, for the I/O layer that reads the payload directly
// behind it. `out` must hold at least kDataHeaderSize bytes.
void write_data_header(std::uint8_t* out, std::uint16_t block);

}  // namespace pxed::tftp

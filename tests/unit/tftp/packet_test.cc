#include "tftp/packet.h"

#include <string>

#include <gtest/gtest.h>

namespace pxed::tftp {
namespace {

Bytes raw(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Exactly what iPXE puts on the wire for `chain tftp://.../pxelinux.0`.
const std::string kIpxeRrq(
    "\x00\x01"
    "pxelinux.0\x00"
    "octet\x00"
    "blksize\x00"
    "1432\x00"
    "tsize\x00"
    "0\x00",
    40);
// edk2's PXE base code fetching ipxe.efi (RFC 7440 windowsize).
const std::string kEdk2Rrq(
    "\x00\x01"
    "ipxe.efi\x00"
    "octet\x00"
    "tsize\x00"
    "0\x00"
    "blksize\x00"
    "1468\x00"
    "windowsize\x00"
    "4\x00",
    51);

TEST(TftpPacket, DecodesIpxeRequestExactly) {
  ASSERT_EQ(kIpxeRrq.size(), 2u + 11 + 6 + 8 + 5 + 6 + 2);
  EXPECT_EQ(kIpxeRrq.back(), '\0');
  auto p = decode(as_bytes(kIpxeRrq));
  ASSERT_TRUE(p) << p.error().message;
  const auto& r = std::get<Request>(*p);
  EXPECT_FALSE(r.write);
  EXPECT_EQ(r.filename, "pxelinux.0");
  EXPECT_EQ(r.mode, "octet");
  ASSERT_EQ(r.options.size(), 2u);
  EXPECT_EQ(r.options[0], (TftpOption{"blksize", "1432"}));
  EXPECT_EQ(r.options[1], (TftpOption{"tsize", "0"}));
  EXPECT_EQ(encode_request(r), raw(kIpxeRrq));
}

TEST(TftpPacket, DecodesEdk2RequestExactly) {
  ASSERT_EQ(kEdk2Rrq.size(), 2u + 9 + 6 + 6 + 2 + 8 + 5 + 11 + 2);
  EXPECT_EQ(kEdk2Rrq.back(), '\0');
  auto p = decode(as_bytes(kEdk2Rrq));
  ASSERT_TRUE(p) << p.error().message;
  const auto& r = std::get<Request>(*p);
  EXPECT_EQ(r.filename, "ipxe.efi");
  ASSERT_EQ(r.options.size(), 3u);
  EXPECT_EQ(r.options[2], (TftpOption{"windowsize", "4"}));
  EXPECT_EQ(encode_request(r), raw(kEdk2Rrq));
}

TEST(TftpPacket, OptionNamesAreCaseInsensitive) {
  std::vector<TftpOption> opts{{"BlkSize", "1024"}, {"TSIZE", "0"}};
  ASSERT_NE(find_option(opts, "blksize"), nullptr);
  EXPECT_EQ(*find_option(opts, "blksize"), "1024");
  EXPECT_EQ(*find_option(opts, "tsize"), "0");
  EXPECT_EQ(find_option(opts, "timeout"), nullptr);
}

TEST(TftpPacket, RoundTripsEveryKind) {
  std::vector<Packet> packets{
      Request{true, "upload.bin", "octet", {}},
      Request{false, "/grub/grub.cfg", "OCTET", {{"blksize", "1024"}, {"tsize", "0"}}},
      DataPacket{7, Bytes{1, 2, 3}},
      DataPacket{65535, Bytes{}},
      AckPacket{0},
      ErrorPacket{1, "file not found"},
      OackPacket{{{"tsize", "1036288"}, {"blksize", "1468"}, {"windowsize", "4"}}},
  };
  for (const Packet& p : packets) {
    Bytes wire;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Request>) wire = encode_request(v);
          if constexpr (std::is_same_v<T, DataPacket>) wire = encode_data(v.block, v.payload);
          if constexpr (std::is_same_v<T, AckPacket>) wire = encode_ack(v.block);
          if constexpr (std::is_same_v<T, ErrorPacket>) wire = encode_error(v.code, v.message);
          if constexpr (std::is_same_v<T, OackPacket>) wire = encode_oack(v.options);
        },
        p);
    auto back = decode(wire);
    ASSERT_TRUE(back) << describe(p) << ": " << back.error().message;
    EXPECT_EQ(*back, p) << describe(p);
  }
}

TEST(TftpPacket, EncodesExactBytes) {
  EXPECT_EQ(encode_data(0x0102, Bytes{0xaa}), (Bytes{0, 3, 1, 2, 0xaa}));
  EXPECT_EQ(encode_ack(258), (Bytes{0, 4, 1, 2}));
  EXPECT_EQ(encode_error(ErrorCode::file_not_found, "file not found"),
            raw(std::string("\x00\x05\x00\x01"
                            "file not found\x00",
                            19)));
  EXPECT_EQ(encode_oack({{"tsize", "5"}}), raw(std::string("\x00\x06tsize\x00"
                                                           "5\x00",
                                                           10)));
  std::uint8_t header[4];
  write_data_header(header, 65535);
  EXPECT_EQ(Bytes(header, header + 4), (Bytes{0, 3, 0xff, 0xff}));
}

struct Bad {
  const char* why;
  std::string bytes;
};

TEST(TftpPacket, RejectsMalformed) {
  const Bad cases[] = {
      {"empty", std::string()},
      {"one byte", std::string("\x00", 1)},
      {"unknown opcode", std::string("\x00\x09x\x00", 4)},
      {"opcode zero", std::string("\x00\x00", 2)},
      {"filename unterminated", std::string("\x00\x01pxelinux.0", 12)},
      {"mode missing", std::string("\x00\x01pxelinux.0\x00", 13)},
      {"mode unterminated", std::string("\x00\x01pxelinux.0\x00octet", 18)},
      {"empty filename", std::string("\x00\x01\x00octet\x00", 9)},
      {"empty mode", std::string("\x00\x01"
                                 "a\x00\x00",
                                 5)},
      {"odd option count", std::string("\x00\x01"
                                       "a\x00octet\x00tsize\x00",
                                       16)},
      {"option value unterminated", std::string("\x00\x01"
                                                "a\x00octet\x00tsize\x00"
                                                "0",
                                                17)},
      {"option name unterminated", std::string("\x00\x01"
                                               "a\x00octet\x00tsize",
                                               15)},
      {"empty option name", std::string("\x00\x01"
                                        "a\x00octet\x00\x00"
                                        "5\x00",
                                        13)},
      {"ack too short", std::string("\x00\x04\x00", 3)},
      {"data too short", std::string("\x00\x03\x01", 3)},
      {"error too short", std::string("\x00\x05\x00", 3)},
      {"oack odd count", std::string("\x00\x06tsize\x00", 8)},
  };
  for (const Bad& b : cases) {
    auto p = decode(as_bytes(b.bytes));
    EXPECT_FALSE(p) << b.why;
    if (!p) {
      EXPECT_FALSE(p.error().message.empty()) << b.why;
    }
  }
}

TEST(TftpPacket, ToleratesHarmlessOddities) {
  // NUL padding after the options.
  auto padded =
      decode(as_bytes(std::string("\x00\x01"
                                  "a\x00octet\x00tsize\x00"
                                  "0\x00\x00\x00",
                                  18)));
  ASSERT_TRUE(padded);
  EXPECT_EQ(std::get<Request>(*padded).options.size(), 1u);
  // An ERROR without its terminator or message still names the code.
  auto err =
      decode(as_bytes(std::string("\x00\x05\x00\x08"
                                  "abort",
                                  9)));
  ASSERT_TRUE(err);
  EXPECT_EQ(std::get<ErrorPacket>(*err), (ErrorPacket{8, "abort"}));
  auto bare = decode(as_bytes(std::string("\x00\x05\x00\x08", 4)));
  ASSERT_TRUE(bare);
  EXPECT_EQ(std::get<ErrorPacket>(*bare).code, 8);
  // Bytes after an ACK's block number.
  auto ack = decode(as_bytes(std::string("\x00\x04\x00\x02\x00\x00", 6)));
  ASSERT_TRUE(ack);
  EXPECT_EQ(std::get<AckPacket>(*ack).block, 2);
}

TEST(TftpPacket, ErrorMessageStopsAtEmbeddedNul) {
  Bytes wire = encode_error(ErrorCode::not_defined, std::string_view("ab\0cd", 5));
  EXPECT_EQ(wire, raw(std::string("\x00\x05\x00\x00"
                                  "ab\x00",
                                  7)));
}

}  // namespace
}  // namespace pxed::tftp

#include "tftp/negotiation.h"

#include <gtest/gtest.h>

namespace pxed::tftp {
namespace {

using namespace std::chrono_literals;

TEST(TftpNegotiation, BlksizeForMtu) {
  EXPECT_EQ(blksize_for_mtu(1500), 1468);
  EXPECT_EQ(blksize_for_mtu(9000), 8968);
  EXPECT_EQ(blksize_for_mtu(65536), kMaxBlksize);  // loopback
  EXPECT_EQ(blksize_for_mtu(20), kMinBlksize);
}

TEST(TftpNegotiation, RefusesWritesAndNonOctetModes) {
  auto wrq = check_request(Request{true, "x", "octet", {}});
  ASSERT_TRUE(wrq);
  EXPECT_EQ(wrq->code, ErrorCode::access_violation);
  auto mail = check_request(Request{false, "x", "mail", {}});
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->code, ErrorCode::not_defined);
  EXPECT_EQ(mail->message, "only octet and netascii modes are supported");
  EXPECT_FALSE(check_request(Request{false, "x", "OCTET", {}}));
  EXPECT_FALSE(check_request(Request{false, "x", "NetAscii", {}}));
}

TEST(TftpNetascii, LfBecomesCrLfAndBareCrBecomesCrNul) {
  const std::string text = "a\nb\r\nc\rd";
  Bytes got = to_netascii(as_bytes(text));
  const std::string want("a\r\nb\r\0\r\nc\r\0d", 12);  // a client turns it back exactly
  EXPECT_EQ(std::string(got.begin(), got.end()), want);
  EXPECT_TRUE(to_netascii({}).empty());
}

TEST(TftpNegotiation, IpxeOptionsAreGrantedInOrder) {
  auto p = negotiate({{"blksize", "1432"}, {"tsize", "0"}}, 46909, Limits{});
  EXPECT_EQ(p.blksize, 1432);
  EXPECT_EQ(p.windowsize, 1);
  EXPECT_EQ(p.timeout, 1000ms);
  ASSERT_TRUE(p.send_oack());
  EXPECT_EQ(p.accepted, (std::vector<TftpOption>{{"blksize", "1432"}, {"tsize", "46909"}}));
  EXPECT_EQ(describe_options(p.accepted), "blksize=1432 tsize=46909");
}

TEST(TftpNegotiation, Edk2WindowsizeIsGranted) {
  auto p = negotiate({{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}}, 1036288, Limits{});
  EXPECT_EQ(p.windowsize, 4);
  EXPECT_EQ(p.accepted, (std::vector<TftpOption>{
                            {"tsize", "1036288"}, {"blksize", "1468"}, {"windowsize", "4"}}));
}

TEST(TftpNegotiation, ClampsToConfiguredMaximums) {
  Limits limits;
  limits.max_blksize = 1468;
  limits.max_windowsize = 8;
  auto p = negotiate({{"BLKSIZE", "65464"}, {"WindowSize", "64"}}, 10, limits);
  EXPECT_EQ(p.blksize, 1468);
  EXPECT_EQ(p.windowsize, 8);
  // The client's spelling of the name is kept; the value is ours.
  EXPECT_EQ(p.accepted, (std::vector<TftpOption>{{"BLKSIZE", "1468"}, {"WindowSize", "8"}}));
  EXPECT_EQ(describe_options(p.accepted), "blksize=1468 windowsize=8");

  // Above the RFC maximum is lowered to it as well.
  auto big = negotiate({{"blksize", "70000"}}, 10, Limits{});
  EXPECT_EQ(big.blksize, 65464);
}

TEST(TftpNegotiation, IgnoresInvalidAndUnknownOptions) {
  auto p = negotiate({{"blksize", "7"},
                      {"timeout", "0"},
                      {"windowsize", "0"},
                      {"tsize", "-1"},
                      {"multicast", ""},
                      {"utimeout", "1000"}},
                     10, Limits{});
  EXPECT_FALSE(p.send_oack());
  EXPECT_EQ(p.blksize, 512);
  EXPECT_EQ(p.windowsize, 1);

  auto q =
      negotiate({{"timeout", "256"}, {"blksize", "1x"}, {"windowsize", "65536"}}, 10, Limits{});
  EXPECT_FALSE(q.send_oack());
}

TEST(TftpNegotiation, EmptyFileGetsNoTsize) {
  // curl fails a download whose OACK says tsize 0.
  auto p = negotiate({{"tsize", "0"}, {"blksize", "1468"}}, 0, Limits{});
  EXPECT_EQ(p.accepted, (std::vector<TftpOption>{{"blksize", "1468"}}));
  EXPECT_FALSE(negotiate({{"tsize", "0"}}, 0, Limits{}).send_oack());
}

TEST(TftpNegotiation, TimeoutIsTakenAsIs) {
  auto p = negotiate({{"timeout", "3"}}, 10, Limits{});
  EXPECT_EQ(p.timeout, 3s);
  EXPECT_EQ(p.accepted, (std::vector<TftpOption>{{"timeout", "3"}}));
  Limits limits;
  limits.default_timeout = 250ms;
  limits.retries = 2;
  auto q = negotiate({}, 10, limits);
  EXPECT_EQ(q.timeout, 250ms);
  EXPECT_EQ(q.retries, 2);
}

TEST(TftpNegotiation, FirstOfRepeatedOptionWins) {
  auto p = negotiate({{"blksize", "1024"}, {"BlkSize", "1432"}}, 10, Limits{});
  EXPECT_EQ(p.blksize, 1024);
  EXPECT_EQ(p.accepted.size(), 1u);
}

}  // namespace
}  // namespace pxed::tftp

#include "net/udp_burst.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

#include "net/ipv4_udp.h"

namespace pxed::net {
namespace {

// Two UDP sockets on loopback: the burst goes from one to the other.
class UdpBurstTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rx_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    tx_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(rx_, 0);
    ASSERT_GE(tx_, 0);
    enlarge_receive_buffer(rx_, 8 << 20);
    timeval tv{1, 0};
    ::setsockopt(rx_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    to_.sin_family = AF_INET;
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(rx_, reinterpret_cast<sockaddr*>(&to_), sizeof to_), 0);
    socklen_t len = sizeof to_;
    ::getsockname(rx_, reinterpret_cast<sockaddr*>(&to_), &len);
  }
  void TearDown() override {
    ::close(rx_);
    ::close(tx_);
  }

  // `count` datagrams of `segment` bytes back to back, the last `last` bytes; each starts with
  // its index, the rest a pattern.
  static Bytes burst(std::size_t count, std::size_t segment, std::size_t last) {
    Bytes data((count - 1) * segment + last);
    for (std::size_t i = 0; i < data.size(); ++i) {
      data[i] = static_cast<std::uint8_t>(i % segment == 0 ? i / segment : i * 13 + 7);
    }
    return data;
  }

  // Receives datagrams until a second of silence.
  std::vector<Bytes> receive_all() {
    std::vector<Bytes> got;
    std::vector<std::uint8_t> buf(70000);
    while (got.size() < 10000) {
      ssize_t n = ::recv(rx_, buf.data(), buf.size(), 0);
      if (n < 0) break;
      got.emplace_back(buf.begin(), buf.begin() + n);
    }
    return got;
  }

  void expect_datagrams(const Bytes& data, std::size_t segment) {
    std::vector<Bytes> got = receive_all();
    const std::size_t count = (data.size() + segment - 1) / segment;
    ASSERT_EQ(got.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t first = i * segment, length = std::min(segment, data.size() - first);
      EXPECT_EQ(got[i], Bytes(data.begin() + first, data.begin() + first + length)) << i;
    }
  }

  int rx_ = -1, tx_ = -1;
  sockaddr_in to_{};
};

TEST_F(UdpBurstTest, AWindowArrivesAsSeparateDatagramsInOrder) {
  for (bool gso : {true, false}) {
    SCOPED_TRACE(gso ? "GSO" : "sendmmsg");
    UdpBurst sender(gso);
    // 16 TFTP packets of a 1468-byte block, the last one short.
    const Bytes data = burst(16, 1472, 300);
    auto out = sender.send(tx_, to_, data, 1472);
    EXPECT_EQ(out.sent, 16u);
    EXPECT_EQ(out.error, 0);
    expect_datagrams(data, 1472);
  }
}

// More than one GSO send holds (64 KiB of payload at most) and more than one sendmmsg batch.
TEST_F(UdpBurstTest, LongRunsAreSplitIntoSeveralSends) {
  for (bool gso : {true, false}) {
    SCOPED_TRACE(gso ? "GSO" : "sendmmsg");
    UdpBurst sender(gso);
    const Bytes data = burst(150, 1472, 1472);
    auto out = sender.send(tx_, to_, data, 1472);
    EXPECT_EQ(out.sent, 150u);
    expect_datagrams(data, 1472);
  }
}

TEST_F(UdpBurstTest, OneDatagramAndEmptyRuns) {
  UdpBurst sender;
  const Bytes one = burst(1, 516, 4);  // an empty last DATA block: just the header
  EXPECT_EQ(sender.send(tx_, to_, one, 516).sent, 1u);
  EXPECT_EQ(sender.send(tx_, to_, ByteView(), 516).sent, 0u);
  expect_datagrams(one, 516);
}

TEST_F(UdpBurstTest, ARefusedSendIsReported) {
  UdpBurst sender;
  sockaddr_in nowhere = to_;
  nowhere.sin_family = AF_UNSPEC + 77;  // not an address family the kernel takes
  const Bytes data = burst(4, 100, 100);
  auto out = sender.send(tx_, nowhere, data, 100);
  EXPECT_LT(out.sent, 4u);
  EXPECT_NE(out.error, 0);
}

}  // namespace
}  // namespace pxed::net

#include "tftp/receive_session.h"

#include <gtest/gtest.h>

namespace pxed::tftp {
namespace {

using namespace std::chrono_literals;
const Clock::time_point t0{};

TransferParams params(std::uint16_t blksize, std::vector<TftpOption> accepted = {}) {
  TransferParams p;
  p.blksize = blksize;
  p.timeout = 1s;
  p.retries = 2;
  p.accepted = std::move(accepted);
  return p;
}

Bytes filled(std::size_t n, std::uint8_t v) {
  return Bytes(n, v);
}

TEST(TftpReceive, LockStepUploadWritesEachBlockOnceAndEndsOnAShortOne) {
  ReceiveSession s(params(4), 100);
  ReceiveStep first = s.start(t0);
  EXPECT_EQ(first.send, encode_ack(0));
  ReceiveStep b1 = s.on_packet(DataPacket{1, filled(4, 1)}, t0);
  ASSERT_TRUE(b1.write);
  EXPECT_EQ(b1.write->offset, 0u);
  EXPECT_EQ(Bytes(b1.write->data.begin(), b1.write->data.end()), filled(4, 1));
  EXPECT_EQ(b1.send, encode_ack(1));
  // Block 1 again: our ACK was lost. ACK it again, write nothing.
  ReceiveStep dup = s.on_packet(DataPacket{1, filled(4, 1)}, t0);
  EXPECT_FALSE(dup.write);
  EXPECT_EQ(dup.send, encode_ack(1));
  // A block from the future is ignored.
  EXPECT_FALSE(s.on_packet(DataPacket{3, filled(4, 3)}, t0).send);
  ReceiveStep last = s.on_packet(DataPacket{2, filled(2, 2)}, t0);
  ASSERT_TRUE(last.write);
  EXPECT_EQ(last.write->offset, 4u);
  EXPECT_EQ(last.send, encode_ack(2));
  EXPECT_EQ(last.outcome, UploadOutcome::completed);
  EXPECT_EQ(s.received(), 6u);
}

TEST(TftpReceive, OptionsAreAnsweredWithAnOack) {
  ReceiveSession s(params(1468, {{"blksize", "1468"}}), 100);
  EXPECT_EQ(s.start(t0).send, encode_oack({{"blksize", "1468"}}));
}

TEST(TftpReceive, TooLargeIsStoppedWithDiskFull) {
  ReceiveSession s(params(4), 6);
  s.start(t0);
  s.on_packet(DataPacket{1, filled(4, 1)}, t0);
  ReceiveStep over = s.on_packet(DataPacket{2, filled(4, 2)}, t0);
  EXPECT_FALSE(over.write);
  EXPECT_EQ(over.outcome, UploadOutcome::too_large);
  EXPECT_EQ(over.send, encode_error(ErrorCode::disk_full, "upload exceeds the size limit"));
}

TEST(TftpReceive, RetransmitsTheLastAckThenGivesUp) {
  ReceiveSession s(params(4), 100);
  s.start(t0);
  s.on_packet(DataPacket{1, filled(4, 1)}, t0);
  EXPECT_FALSE(s.on_timeout(t0 + 500ms).send);  // early
  EXPECT_EQ(s.on_timeout(t0 + 1s).send, encode_ack(1));
  EXPECT_EQ(s.on_timeout(t0 + 2s).send, encode_ack(1));
  EXPECT_EQ(s.on_timeout(t0 + 3s).outcome, UploadOutcome::timed_out);
}

TEST(TftpReceive, BlockNumbersRollOver) {
  ReceiveSession s(params(1), 1'000'000);
  s.start(t0);
  for (std::uint32_t i = 1; i <= 65537; ++i) {
    ReceiveStep r = s.on_packet(DataPacket{static_cast<std::uint16_t>(i & 0xffff), {7}}, t0);
    ASSERT_TRUE(r.write) << i;
    ASSERT_EQ(r.write->offset, i - 1);
  }
  EXPECT_EQ(s.on_packet(DataPacket{2, {}}, t0).outcome, UploadOutcome::completed);
  EXPECT_EQ(s.received(), 65537u);
}

TEST(TftpReceive, ClientErrorAndWriteFailure) {
  ReceiveSession a(params(4), 100);
  a.start(t0);
  EXPECT_EQ(a.on_packet(ErrorPacket{0, "bye"}, t0).outcome, UploadOutcome::aborted_by_client);
  ReceiveSession b(params(4), 100);
  b.start(t0);
  ReceiveStep failed = b.abort(UploadOutcome::write_failed);
  EXPECT_EQ(failed.outcome, UploadOutcome::write_failed);
  EXPECT_EQ(failed.send, encode_error(ErrorCode::disk_full, "cannot store the file"));
}

}  // namespace
}  // namespace pxed::tftp

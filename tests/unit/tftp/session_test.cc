#include "tftp/session.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>

namespace pxed::tftp {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0{};

TransferParams params(std::uint16_t blksize, std::uint16_t window = 1,
                      std::vector<TftpOption> accepted = {}, int retries = 5) {
  TransferParams p;
  p.blksize = blksize;
  p.windowsize = window;
  p.timeout = 1s;
  p.backoff = false;  // a fixed wait keeps the timelines below simple; see Backoff* tests
  p.retries = retries;
  p.accepted = std::move(accepted);
  return p;
}

// The DATA blocks a step sends, as (wire block, offset, length).
std::vector<SendData> data_of(const Step& step) {
  std::vector<SendData> out;
  for (const auto& t : step.transmits) {
    if (const auto* d = std::get_if<SendData>(&t)) out.push_back(*d);
  }
  return out;
}

std::vector<std::uint16_t> blocks_of(const Step& step) {
  std::vector<std::uint16_t> out;
  for (const auto& d : data_of(step)) out.push_back(d.block);
  return out;
}

TEST(TftpSession, OackThenDataAfterAckZero) {
  Session s(1000, params(512, 1, {{"blksize", "512"}, {"tsize", "1000"}}));
  Step first = s.start(t0);
  ASSERT_EQ(first.transmits.size(), 1u);
  const auto& oack = std::get<SendBytes>(first.transmits[0]).packet;
  auto decoded = decode(oack);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::get<OackPacket>(*decoded).options,
            (std::vector<TftpOption>{{"blksize", "512"}, {"tsize", "1000"}}));
  EXPECT_EQ(first.deadline, t0 + 1s);

  EXPECT_TRUE(s.on_packet(AckPacket{5}, t0).transmits.empty());  // not the OACK's ACK
  Step data = s.on_packet(AckPacket{0}, t0 + 10ms);
  auto d = data_of(data);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].block, 1);
  EXPECT_EQ(d[0].offset, 0u);
  EXPECT_EQ(d[0].length, 512u);
  EXPECT_EQ(data.deadline, t0 + 10ms + 1s);
  EXPECT_TRUE(s.progressed());
}

TEST(TftpSession, LockStepToCompletion) {
  Session s(1300, params(512));
  Step step = s.start(t0);
  EXPECT_EQ(blocks_of(step), (std::vector<std::uint16_t>{1}));
  step = s.on_packet(AckPacket{1}, t0);
  auto d = data_of(step);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].block, 2);
  EXPECT_EQ(d[0].offset, 512u);
  step = s.on_packet(AckPacket{2}, t0);
  d = data_of(step);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].block, 3);
  EXPECT_EQ(d[0].offset, 1024u);
  EXPECT_EQ(d[0].length, 276u);
  EXPECT_FALSE(step.outcome);
  step = s.on_packet(AckPacket{3}, t0);
  EXPECT_TRUE(step.transmits.empty());
  EXPECT_FALSE(step.deadline);
  ASSERT_EQ(step.outcome, Outcome::completed);
  EXPECT_EQ(s.stats().bytes_acked, 1300u);
  EXPECT_EQ(s.stats().blocks_acked, 3u);
  EXPECT_EQ(s.stats().data_packets, 3u);
  EXPECT_EQ(s.stats().retransmits, 0u);
  // Nothing happens once it is over.
  EXPECT_TRUE(s.on_timeout(t0 + 1h).transmits.empty());
  EXPECT_TRUE(s.on_packet(AckPacket{3}, t0).transmits.empty());
}

TEST(TftpSession, WindowedTransfer) {
  Session s(11 * 512 - 10, params(512, 4, {{"windowsize", "4"}}));
  s.start(t0);
  EXPECT_EQ(blocks_of(s.on_packet(AckPacket{0}, t0)), (std::vector<std::uint16_t>{1, 2, 3, 4}));
  EXPECT_EQ(blocks_of(s.on_packet(AckPacket{4}, t0)), (std::vector<std::uint16_t>{5, 6, 7, 8}));
  // The client lost 7: it acknowledges 6 and the next window starts at 7 (RFC 7440).
  EXPECT_EQ(blocks_of(s.on_packet(AckPacket{6}, t0)), (std::vector<std::uint16_t>{7, 8, 9, 10}));
  EXPECT_EQ(s.stats().retransmits, 2u);
  Step last = s.on_packet(AckPacket{10}, t0);
  auto d = data_of(last);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].block, 11);
  EXPECT_EQ(d[0].length, 502u);
  // An ACK from before the current window is ignored.
  EXPECT_TRUE(s.on_packet(AckPacket{4}, t0).transmits.empty());
  EXPECT_EQ(s.on_packet(AckPacket{11}, t0).outcome, Outcome::completed);
  EXPECT_EQ(s.stats().bytes_acked, 11u * 512 - 10);
}

TEST(TftpSession, RetransmitsOnTimeoutThenGivesUp) {
  Session s(100, params(512, 1, {}, 2));
  EXPECT_EQ(blocks_of(s.start(t0)), (std::vector<std::uint16_t>{1}));
  // A timer that fires early changes nothing.
  Step early = s.on_timeout(t0 + 500ms);
  EXPECT_TRUE(early.transmits.empty());
  EXPECT_EQ(early.deadline, t0 + 1s);
  Step r1 = s.on_timeout(t0 + 1s);
  EXPECT_EQ(blocks_of(r1), (std::vector<std::uint16_t>{1}));
  EXPECT_EQ(r1.deadline, t0 + 2s);
  EXPECT_EQ(blocks_of(s.on_timeout(t0 + 2s)), (std::vector<std::uint16_t>{1}));
  Step end = s.on_timeout(t0 + 3s);
  EXPECT_TRUE(end.transmits.empty());
  EXPECT_EQ(end.outcome, Outcome::timed_out);
  EXPECT_EQ(s.stats().retransmits, 2u);
  EXPECT_EQ(s.stats().data_packets, 3u);
  EXPECT_EQ(s.stats().bytes_acked, 0u);
}

TEST(TftpSession, BackoffDoublesTheWaitUpToFourTimesAndProgressResetsIt) {
  TransferParams p = params(512, 1, {}, 6);
  p.backoff = true;
  Session s(2000, p);
  EXPECT_EQ(s.start(t0).deadline, t0 + 1s);
  EXPECT_EQ(s.on_timeout(t0 + 1s).deadline, t0 + 3s);   // waits 2 s
  EXPECT_TRUE(s.on_timeout(t0 + 2s).transmits.empty());  // early: nothing
  EXPECT_EQ(s.on_timeout(t0 + 3s).deadline, t0 + 7s);   // 4 s
  EXPECT_EQ(s.on_timeout(t0 + 7s).deadline, t0 + 11s);  // capped at 4 s
  EXPECT_EQ(s.on_timeout(t0 + 11s).deadline, t0 + 15s);
  Step progress = s.on_packet(AckPacket{1}, t0 + 12s);
  EXPECT_EQ(progress.deadline, t0 + 13s);  // back to 1 s
}

TEST(TftpSession, NoBackoffWhenTheClientSetTheTimeout) {
  Limits limits;
  TransferParams p = negotiate({{"timeout", "3"}}, 2000, limits);
  EXPECT_FALSE(p.backoff);
  Session s(2000, p);
  s.start(t0);
  EXPECT_EQ(s.on_timeout(t0 + 3s).deadline, t0 + 6s);
  EXPECT_EQ(s.on_timeout(t0 + 6s).deadline, t0 + 9s);
  EXPECT_TRUE(negotiate({{"blksize", "1468"}}, 2000, limits).backoff);
}

TEST(TftpSession, OackIsRetransmittedToo) {
  Session s(100, params(512, 1, {{"tsize", "100"}}, 1));
  s.start(t0);
  Step r = s.on_timeout(t0 + 1s);
  ASSERT_EQ(r.transmits.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<SendBytes>(r.transmits[0]));
  EXPECT_EQ(s.on_timeout(t0 + 2s).outcome, Outcome::timed_out);
}

TEST(TftpSession, ProgressResetsRetries) {
  Session s(2000, params(512, 1, {}, 1));
  s.start(t0);
  s.on_timeout(t0 + 1s);                   // retry 1 of 1
  s.on_packet(AckPacket{1}, t0 + 1500ms);  // progress
  Step r = s.on_timeout(t0 + 2500ms);      // a fresh retry is allowed
  EXPECT_EQ(blocks_of(r), (std::vector<std::uint16_t>{2}));
  EXPECT_FALSE(r.outcome);
}

TEST(TftpSession, StalledWhileRetransmitting) {
  Session s(2000, params(512));
  s.start(t0);
  EXPECT_FALSE(s.stalled());
  s.on_timeout(t0 + 1s);
  EXPECT_TRUE(s.stalled());
  s.on_packet(AckPacket{1}, t0 + 1100ms);
  EXPECT_FALSE(s.stalled());
}

TEST(TftpSession, DuplicateAckIsIgnored) {
  Session s(5000, params(512));
  s.start(t0);
  EXPECT_EQ(blocks_of(s.on_packet(AckPacket{1}, t0)), (std::vector<std::uint16_t>{2}));
  // The Sorcerer's Apprentice: answering the duplicate would double every block from here on.
  Step dup = s.on_packet(AckPacket{1}, t0 + 1ms);
  EXPECT_TRUE(dup.transmits.empty());
  EXPECT_EQ(dup.deadline, t0 + 1s);
  EXPECT_TRUE(s.on_packet(AckPacket{0}, t0).transmits.empty());
  EXPECT_TRUE(s.on_packet(AckPacket{9}, t0).transmits.empty());  // beyond what was sent
  EXPECT_TRUE(s.on_packet(DataPacket{2, {}}, t0).transmits.empty());
  EXPECT_EQ(blocks_of(s.on_packet(AckPacket{2}, t0)), (std::vector<std::uint16_t>{3}));
  EXPECT_EQ(s.stats().retransmits, 0u);
}

TEST(TftpSession, Error8AfterOackIsASizeProbe) {
  Session s(1036288, params(1468, 4, {{"tsize", "1036288"}, {"blksize", "1468"}}));
  s.start(t0);
  Step end = s.on_packet(ErrorPacket{8, "User aborted the transfer"}, t0);
  EXPECT_EQ(end.outcome, Outcome::aborted_after_options);
  EXPECT_FALSE(end.deadline);
  ASSERT_TRUE(s.stats().client_error);
  EXPECT_EQ(s.stats().client_error->code, 8);
}

TEST(TftpSession, OtherClientErrorsAbort) {
  Session a(1000, params(512, 1, {{"tsize", "1000"}}));
  a.start(t0);
  EXPECT_EQ(a.on_packet(ErrorPacket{0, "no"}, t0).outcome, Outcome::aborted_by_client);

  Session b(5000, params(512));
  b.start(t0);
  b.on_packet(AckPacket{1}, t0);
  EXPECT_EQ(b.on_packet(ErrorPacket{8, "late"}, t0).outcome, Outcome::aborted_by_client);
  EXPECT_EQ(b.stats().bytes_acked, 512u);
}

TEST(TftpSession, ExactMultipleEndsWithEmptyBlock) {
  Session s(1024, params(512));
  s.start(t0);
  s.on_packet(AckPacket{1}, t0);
  auto d = data_of(s.on_packet(AckPacket{2}, t0));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].block, 3);
  EXPECT_EQ(d[0].offset, 1024u);
  EXPECT_EQ(d[0].length, 0u);
  EXPECT_EQ(s.on_packet(AckPacket{3}, t0).outcome, Outcome::completed);
  EXPECT_EQ(s.stats().bytes_acked, 1024u);
}

TEST(TftpSession, EmptyFileIsOneEmptyBlock) {
  Session s(0, params(512, 1, {{"tsize", "0"}}));
  s.start(t0);
  auto d = data_of(s.on_packet(AckPacket{0}, t0));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].block, 1);
  EXPECT_EQ(d[0].length, 0u);
  EXPECT_EQ(s.on_packet(AckPacket{1}, t0).outcome, Outcome::completed);
}

TEST(TftpSession, BlockNumbersRollOver) {
  const std::uint64_t blocks = 65536 + 10;  // the last block is short
  const std::uint64_t size = (blocks - 1) * 8 + 3;
  Session s(size, params(8, 4, {{"windowsize", "4"}}));
  s.start(t0);
  Step step = s.on_packet(AckPacket{0}, t0);
  std::uint64_t expected_seq = 1;
  std::uint16_t last_block = 0;
  while (!step.outcome) {
    auto d = data_of(step);
    ASSERT_FALSE(d.empty());
    for (const auto& data : d) {
      ASSERT_EQ(data.block, static_cast<std::uint16_t>(expected_seq & 0xffff));
      ASSERT_EQ(data.offset, (expected_seq - 1) * 8);
      ASSERT_EQ(data.length, expected_seq == blocks ? 3u : 8u);
      last_block = data.block;
      ++expected_seq;
    }
    step = s.on_packet(AckPacket{last_block}, t0);
  }
  EXPECT_EQ(step.outcome, Outcome::completed);
  EXPECT_EQ(expected_seq, blocks + 1);
  EXPECT_EQ(s.stats().bytes_acked, size);
  EXPECT_EQ(s.stats().retransmits, 0u);
}

TEST(TftpSession, AckZeroAfterRolloverIsUnderstood) {
  // Lock-step across the wrap: block 65535 is followed by block 0, then 1.
  Session s(70000, params(1));
  Step step = s.start(t0);
  for (std::uint32_t b = 1; b <= 65535; ++b)
    step = s.on_packet(AckPacket{static_cast<std::uint16_t>(b)}, t0);
  EXPECT_EQ(blocks_of(step), (std::vector<std::uint16_t>{0}));
  EXPECT_EQ(blocks_of(s.on_packet(AckPacket{0}, t0)), (std::vector<std::uint16_t>{1}));
  EXPECT_EQ(s.stats().blocks_acked, 65536u);
}

TEST(TftpSession, AbortIsFinal) {
  Session s(5000, params(512));
  s.start(t0);
  EXPECT_EQ(s.abort(Outcome::cut).outcome, Outcome::cut);
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(s.on_packet(AckPacket{1}, t0).outcome, Outcome::cut);
}

}  // namespace
}  // namespace pxed::tftp

namespace pxed::tftp {
namespace {

// A client and the Session over a channel that loses, duplicates and reorders packets in both
// directions (seeded, so every run is the same). The client is an RFC 7440 reader: it takes
// blocks in order, ACKs the last in-order block at the end of each window, when a block is
// missing and when a block it has comes again.
struct LossyRun {
  bool complete = false;
  std::uint64_t data_packets = 0;
  Bytes received;
};

LossyRun run_lossy(std::uint64_t size, std::uint16_t blksize, std::uint16_t window,
                   unsigned seed, int loss_percent) {
  std::mt19937 rng(seed);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  TransferParams p;
  p.blksize = blksize;
  p.windowsize = window;
  p.timeout = 1s;
  p.retries = 50;
  p.accepted = {{"blksize", std::to_string(blksize)}, {"windowsize", std::to_string(window)}};
  Session s(size, p);
  Clock::time_point now{};
  std::deque<Packet> to_client, to_server;  // in flight
  auto deliver = [&](std::deque<Packet>& q, Packet pkt) {
    if (chance(loss_percent)) return;  // lost
    q.push_back(pkt);
    if (chance(5)) q.push_back(pkt);                                           // duplicated
    if (q.size() > 1 && chance(10)) std::swap(q[q.size() - 1], q[q.size() - 2]);  // reordered
  };
  auto emit = [&](const Step& step) {
    for (const auto& t : step.transmits) {
      if (const auto* d = std::get_if<SendData>(&t)) {
        Bytes payload(d->length);
        for (std::size_t i = 0; i < d->length; ++i) {
          payload[i] = static_cast<std::uint8_t>((d->offset + i) * 13 % 251);
        }
        deliver(to_client, DataPacket{d->block, payload});
      } else {
        deliver(to_client, OackPacket{});
      }
    }
  };
  LossyRun run;
  std::uint64_t next_seq = 1;  // the block the client wants next (64-bit)
  std::uint16_t in_window = 0;
  emit(s.start(now));
  for (int round = 0; round < 5'000'000 && !s.finished(); ++round) {
    if (!to_client.empty()) {
      Packet pkt = to_client.front();
      to_client.pop_front();
      if (std::holds_alternative<OackPacket>(pkt)) {
        if (next_seq == 1) deliver(to_server, AckPacket{0});
      } else {
        const auto& d = std::get<DataPacket>(pkt);
        if (d.block == static_cast<std::uint16_t>(next_seq)) {
          run.received.insert(run.received.end(), d.payload.begin(), d.payload.end());
          ++next_seq;
          if (d.payload.size() < blksize) {
            run.complete = true;
            deliver(to_server, AckPacket{d.block});
          } else if (++in_window == window) {
            in_window = 0;
            deliver(to_server, AckPacket{d.block});
          }
        } else {
          // A gap, or a block we have (our ACK was lost): say where we are, so the server
          // resends from there. Duplicated blocks make duplicated ACKs, which the server must
          // not answer twice.
          in_window = 0;
          deliver(to_server, AckPacket{static_cast<std::uint16_t>(next_seq - 1)});
        }
      }
    } else if (!to_server.empty()) {
      Packet pkt = to_server.front();
      to_server.pop_front();
      emit(s.on_packet(pkt, now));
    } else {
      // Nothing in flight: time passes until a timer fires. The client re-ACKs too.
      now += 1s;
      if (run.complete) {
        deliver(to_server, AckPacket{static_cast<std::uint16_t>(next_seq - 1)});
      }
      emit(s.on_timeout(now));
    }
  }
  run.data_packets = s.stats().data_packets;
  run.complete = run.complete && s.outcome() == Outcome::completed;
  return run;
}

TEST(TftpSessionLossy, EveryByteArrivesInOrderDespiteLossDuplicationAndReordering) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    for (std::uint16_t window : {std::uint16_t{1}, std::uint16_t{4}, std::uint16_t{16}}) {
      const std::uint64_t size = 300'000 + seed * 517;
      LossyRun r = run_lossy(size, 1024, window, seed, 10);
      ASSERT_TRUE(r.complete) << "seed " << seed << " window " << window << " got "
                              << r.received.size() << " sent " << r.data_packets;
      ASSERT_EQ(r.received.size(), size);
      for (std::uint64_t i = 0; i < size; ++i) {
        ASSERT_EQ(r.received[i], static_cast<std::uint8_t>(i * 13 % 251)) << "byte " << i;
      }
      // No Sorcerer's Apprentice: in lock-step, where answering duplicated ACKs would double
      // every block from then on, well under twice the blocks go out despite 10% loss and 5%
      // duplication each way. Windows resend from the first lost block (go-back-N), which costs
      // more, but stays bounded.
      const std::uint64_t blocks = size / 1024 + 1;
      EXPECT_LT(r.data_packets, blocks * (window == 1 ? 2 : window))
          << "seed " << seed << " window " << window;
    }
  }
}

TEST(TftpSessionLossy, RollsOverUnderLoss) {
  LossyRun r = run_lossy(70'000 * 8 + 3, 8, 8, 7, 2);  // 70,001 blocks: past 65535
  ASSERT_TRUE(r.complete) << "got " << r.received.size() << " sent " << r.data_packets;
  EXPECT_EQ(r.received.size(), 70'000u * 8 + 3);
}

}  // namespace
}  // namespace pxed::tftp

#include "tftp/admission.h"

#include <gtest/gtest.h>

#include <vector>

namespace pxed::tftp {
namespace {

using namespace std::chrono_literals;
using Clock = Admission::Clock;

const Ipv4 kA = *Ipv4::parse("198.18.0.10");
const Ipv4 kB = *Ipv4::parse("198.18.0.11");
const Ipv4 kC = *Ipv4::parse("198.18.0.12");

Admission::Waiting req(Ipv4 client, std::uint16_t port, std::uint8_t tag = 0) {
  return Admission::Waiting{client, port, Bytes{tag}, port % 3u};
}

Admission::Limits limits(std::size_t all, std::size_t per_client, std::size_t line = 100) {
  Admission::Limits l;
  l.max_all = all;
  l.max_per_client = per_client;
  l.max_waiting = line;
  l.patience = 10s;
  return l;
}

TEST(Admission, OverTheLimitARequestWaitsAndTakesTheNextFreeSlot) {
  Admission a(limits(2, 10));
  const auto t = Clock::time_point{} + 100s;
  EXPECT_EQ(a.request(req(kA, 1000), t).verdict, Admission::Verdict::admitted);
  EXPECT_EQ(a.request(req(kB, 1000), t).verdict, Admission::Verdict::admitted);
  auto d = a.request(req(kC, 1000, 7), t);
  EXPECT_EQ(d.verdict, Admission::Verdict::queued);
  EXPECT_EQ(d.why, "2 transfers running (max-transfers)");
  EXPECT_EQ(d.waiting, 1u);
  EXPECT_EQ(a.running(), 2u);

  auto next = a.release(kA, t + 1s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->client, kC);
  EXPECT_EQ(next->port, 1000);
  EXPECT_EQ(next->request, Bytes{7});
  EXPECT_EQ(next->loop, 1000u % 3u);
  EXPECT_EQ(a.running(), 2u);  // the slot went straight to C
  EXPECT_EQ(a.waiting(), 0u);
  EXPECT_FALSE(a.release(kB, t + 2s));
  EXPECT_EQ(a.running(), 1u);
}

// Client A asks for three transfers, B and C for one each, all while the server is full: the
// freed slots go A, B, C, A, A - not A, A, A, B, C.
TEST(Admission, ClientsTakeTurns) {
  Admission a(limits(1, 10));
  const auto t = Clock::time_point{} + 100s;
  ASSERT_EQ(a.request(req(kC, 1), t).verdict, Admission::Verdict::admitted);
  a.request(req(kA, 1001), t);
  a.request(req(kA, 1002), t);
  a.request(req(kA, 1003), t);
  a.request(req(kB, 2001), t);
  a.request(req(kC, 3001), t);
  EXPECT_EQ(a.waiting(), 5u);
  std::vector<std::uint16_t> order;
  Ipv4 running = kC;
  for (int i = 0; i < 5; ++i) {
    auto next = a.release(running, t + 1s);
    ASSERT_TRUE(next);
    order.push_back(next->port);
    running = next->client;
  }
  EXPECT_EQ(order, (std::vector<std::uint16_t>{1001, 2001, 3001, 1002, 1003}));
}

// A client at its own limit waits for its own transfers; others go past it meanwhile, and a
// slot freed by another client does not go to it.
TEST(Admission, APerClientLimitHoldsOnlyThatClient) {
  Admission a(limits(10, 1));
  const auto t = Clock::time_point{} + 100s;
  ASSERT_EQ(a.request(req(kA, 1), t).verdict, Admission::Verdict::admitted);
  auto d = a.request(req(kA, 2), t);
  EXPECT_EQ(d.verdict, Admission::Verdict::queued);
  EXPECT_EQ(d.why, "1 transfers running for this client (max-transfers-per-client)");
  EXPECT_EQ(a.request(req(kB, 1), t).verdict, Admission::Verdict::admitted);
  EXPECT_FALSE(a.release(kB, t));  // B's slot is no use to A
  auto next = a.release(kA, t);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->port, 2);
  EXPECT_EQ(a.running(), 1u);
}

TEST(Admission, TheSameRequestAgainKeepsItsPlace) {
  Admission a(limits(1, 10));
  const auto t = Clock::time_point{} + 100s;
  a.request(req(kC, 1), t);
  a.request(req(kA, 1000, 1), t);
  a.request(req(kB, 1000), t);
  auto again = a.request(req(kA, 1000, 2), t + 3s);  // resent (another file, even)
  EXPECT_EQ(again.verdict, Admission::Verdict::refreshed);
  EXPECT_EQ(again.waiting, 2u);
  EXPECT_EQ(a.waiting(), 2u);
  auto next = a.release(kC, t + 4s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->client, kA);
  EXPECT_EQ(next->request, Bytes{2});
}

// A waiting client that has been silent longer than the patience has given up: it is passed
// over; one that keeps asking stays in line.
TEST(Admission, SilentWaitersAreForgotten) {
  Admission a(limits(1, 10));
  const auto t = Clock::time_point{} + 100s;
  a.request(req(kC, 1), t);
  a.request(req(kA, 1000), t);
  a.request(req(kB, 1000), t);
  a.request(req(kB, 1000), t + 8s);  // B asks again
  auto next = a.release(kC, t + 15s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->client, kB);
  EXPECT_EQ(a.waiting(), 0u);
  EXPECT_FALSE(a.release(kB, t + 16s));
  EXPECT_EQ(a.running(), 0u);
}

TEST(Admission, AFullLineRefuses) {
  Admission a(limits(1, 10, 2));
  const auto t = Clock::time_point{} + 100s;
  a.request(req(kC, 1), t);
  EXPECT_EQ(a.request(req(kA, 1), t).verdict, Admission::Verdict::queued);
  EXPECT_EQ(a.request(req(kA, 2), t).verdict, Admission::Verdict::queued);
  auto d = a.request(req(kB, 1), t);
  EXPECT_EQ(d.verdict, Admission::Verdict::refused);
  EXPECT_EQ(d.why, "1 transfers running (max-transfers); 2 requests waiting already");
  EXPECT_EQ(a.waiting(), 2u);
}

TEST(Admission, ARequestThatMayNotWaitIsRefusedOverALimit) {
  Admission a(limits(1, 10));
  const auto t = Clock::time_point{} + 100s;
  EXPECT_EQ(a.request(req(kA, 1), t, false).verdict, Admission::Verdict::admitted);
  auto d = a.request(req(kB, 1), t, false);
  EXPECT_EQ(d.verdict, Admission::Verdict::refused);
  EXPECT_EQ(d.why, "1 transfers running (max-transfers)");
  EXPECT_EQ(a.waiting(), 0u);
}

TEST(Admission, ReleasingAClientWithoutASlotChangesNothing) {
  Admission a(limits(1, 1));
  const auto t = Clock::time_point{} + 100s;
  a.request(req(kA, 1), t);
  EXPECT_FALSE(a.release(kB, t));
  EXPECT_EQ(a.running(), 1u);
  EXPECT_EQ(a.request(req(kB, 1), t).verdict, Admission::Verdict::queued);
}

}  // namespace
}  // namespace pxed::tftp

#include "http/stream.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

TEST(StreamChannel, TextQueuedInOrderAndAnnouncedOncePerTake) {
  StreamChannel ch;
  int wakes = 0;
  ch.attach([&] { ++wakes; });
  EXPECT_TRUE(ch.push("a"));
  EXPECT_TRUE(ch.push("b"));
  EXPECT_EQ(wakes, 1);  // the second push found text already announced
  EXPECT_EQ(ch.take(), "ab");
  EXPECT_EQ(ch.take(), "");
  EXPECT_TRUE(ch.push("c"));
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(ch.take(), "c");
}

TEST(StreamChannel, TextBeforeAttachWaitsUnannounced) {
  StreamChannel ch;
  EXPECT_TRUE(ch.push("early"));
  int wakes = 0;
  ch.attach([&] { ++wakes; });
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(ch.take(), "early");
}

TEST(StreamChannel, OverflowDropsTheTextAndRefusesMore) {
  StreamChannel ch(10);
  EXPECT_TRUE(ch.push("12345"));
  EXPECT_TRUE(ch.push("67890"));  // exactly full
  EXPECT_FALSE(ch.push("x"));
  EXPECT_TRUE(ch.overflowed());
  EXPECT_EQ(ch.take(), "");
  EXPECT_FALSE(ch.push("y"));
}

TEST(StreamChannel, ClosedChannelTakesNothingAndNeverWakes) {
  StreamChannel ch;
  int wakes = 0;
  ch.attach([&] { ++wakes; });
  ch.close();
  EXPECT_FALSE(ch.push("late"));
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(ch.take(), "");
}

TEST(StreamChannel, FinishKeepsWhatWasQueuedAndWakes) {
  StreamChannel ch;
  int wakes = 0;
  ch.attach([&] { ++wakes; });
  EXPECT_TRUE(ch.push("last words"));
  ch.take();
  EXPECT_TRUE(ch.push("tail"));
  ch.finish();
  EXPECT_TRUE(ch.finished());
  EXPECT_FALSE(ch.push("after the end"));
  EXPECT_EQ(ch.take(), "tail");
  EXPECT_EQ(wakes, 2);
}

TEST(StreamChannel, ManyProducersLoseNothing) {
  StreamChannel ch(1 << 20);
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&ch] {
      for (int i = 0; i < 1000; ++i) ch.push("x");
    });
  }
  std::size_t got = 0;
  for (int spins = 0; spins < 100000 && got < 4000; ++spins) got += ch.take().size();
  for (auto& p : producers) p.join();
  got += ch.take().size();
  EXPECT_EQ(got, 4000u);
}

}  // namespace
}  // namespace pxed::http

#include "http/range.h"

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

RangeChoice partial(std::uint64_t first, std::uint64_t length) {
  return {RangeKind::partial, {first, length}};
}

void expect(const RangeChoice& got, const RangeChoice& want, std::string_view header) {
  EXPECT_EQ(got.kind, want.kind) << header;
  EXPECT_EQ(got.range, want.range) << header;
}

TEST(ChooseRange, NoHeaderMeansWholeFile) {
  expect(choose_range("", 1000), {RangeKind::whole, {0, 1000}}, "");
  expect(choose_range("", 0), {RangeKind::whole, {0, 0}}, "");
}

TEST(ChooseRange, FirstToLast) {
  expect(choose_range("bytes=10-99", 1000), partial(10, 90), "10-99");
  expect(choose_range("bytes=0-0", 1000), partial(0, 1), "0-0");
  expect(choose_range("bytes=999-999", 1000), partial(999, 1), "999-999");
  expect(choose_range("bytes=500-5000", 1000), partial(500, 500), "clamped");
  expect(choose_range("bytes=0-99999999999999999999999", 1000), partial(0, 1000), "huge last");
  expect(choose_range(" Bytes = 1-2 ", 1000), partial(1, 2), "spacing and case");
}

TEST(ChooseRange, OpenEnded) {
  expect(choose_range("bytes=100-", 1000), partial(100, 900), "100-");
  expect(choose_range("bytes=0-", 1000), partial(0, 1000), "0-");
  expect(choose_range("bytes=999-", 1000), partial(999, 1), "999-");
}

TEST(ChooseRange, Suffix) {
  expect(choose_range("bytes=-100", 1000), partial(900, 100), "-100");
  expect(choose_range("bytes=-5000", 1000), partial(0, 1000), "-5000");
  expect(choose_range("bytes=-1", 1), partial(0, 1), "-1 of 1");
}

TEST(ChooseRange, Unsatisfiable) {
  for (std::string_view h :
       {"bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=99999999999999999999999-"}) {
    EXPECT_EQ(choose_range(h, 1000).kind, RangeKind::unsatisfiable) << h;
  }
  EXPECT_EQ(choose_range("bytes=0-", 0).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(choose_range("bytes=-10", 0).kind, RangeKind::unsatisfiable);
}

TEST(ChooseRange, IgnoredMeansWholeFile) {
  for (std::string_view h : {"bytes=5-1", "bytes=-", "bytes=a-b", "bytes=1-2x", "items=0-1",
                             "bytes", "bytes=0-1,5-6", "bytes=1--2", "bytes=+1-2"}) {
    expect(choose_range(h, 1000), {RangeKind::whole, {0, 1000}}, h);
  }
}

std::vector<ByteRange> ranges(std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> l) {
  std::vector<ByteRange> out;
  for (auto [first, length] : l) out.push_back({first, length});
  return out;
}

TEST(ChooseRanges, SeveralInTheOrderAsked) {
  auto s = choose_ranges("bytes=0-99,200-299", 1000);
  EXPECT_EQ(s.kind, RangeKind::partial);
  EXPECT_EQ(s.ranges, ranges({{0, 100}, {200, 100}}));

  s = choose_ranges("bytes=500-599, 0-9 ,-10", 1000);
  EXPECT_EQ(s.kind, RangeKind::partial);
  EXPECT_EQ(s.ranges, ranges({{500, 100}, {0, 10}, {990, 10}}));
}

TEST(ChooseRanges, SingleBehavesLikeChooseRange) {
  for (std::string_view h : {"", "bytes=10-99", "bytes=-100", "bytes=990-", "bytes=1000-",
                             "bytes=5-1", "items=0-1", "bytes=0-99999999999999999999"}) {
    RangeChoice one = choose_range(h, 1000);
    RangeSet set = choose_ranges(h, 1000);
    EXPECT_EQ(set.kind, one.kind) << h;
    if (one.kind != RangeKind::unsatisfiable) {
      EXPECT_EQ(set.ranges, std::vector<ByteRange>{one.range}) << h;
    } else {
      EXPECT_TRUE(set.ranges.empty()) << h;
    }
  }
}

TEST(ChooseRanges, OverlappingAndAdjacentAreCoalesced) {
  auto s = choose_ranges("bytes=0-99,50-149,150-199", 1000);
  EXPECT_EQ(s.ranges, ranges({{0, 200}}));
  // Merged groups keep the position of their earliest member.
  s = choose_ranges("bytes=600-699,10-19,650-899,0-9", 1000);
  EXPECT_EQ(s.ranges, ranges({{600, 300}, {0, 20}}));
  s = choose_ranges("bytes=0-9,0-9,0-9", 1000);
  EXPECT_EQ(s.ranges, ranges({{0, 10}}));
  s = choose_ranges("bytes=0-,100-200", 1000);
  EXPECT_EQ(s.ranges, ranges({{0, 1000}}));
  // Not adjacent: a gap of one byte.
  s = choose_ranges("bytes=0-9,11-19", 1000);
  EXPECT_EQ(s.ranges, ranges({{0, 10}, {11, 9}}));
}

TEST(ChooseRanges, UnsatisfiableSpecsAreDropped) {
  auto s = choose_ranges("bytes=0-9,5000-6000", 1000);
  EXPECT_EQ(s.kind, RangeKind::partial);
  EXPECT_EQ(s.ranges, ranges({{0, 10}}));
  s = choose_ranges("bytes=1000-,2000-3000,-0", 1000);
  EXPECT_EQ(s.kind, RangeKind::unsatisfiable);
  EXPECT_TRUE(s.ranges.empty());
}

TEST(ChooseRanges, InvalidSpecOrEmptySetMeansWholeFile) {
  for (std::string_view h : {"bytes=0-9,x", "bytes=0-9,9-0", "bytes=", "bytes=,", "bytes=0-9;5-6",
                             "bytes 0-9,5-6"}) {
    auto s = choose_ranges(h, 1000);
    EXPECT_EQ(s.kind, RangeKind::whole) << h;
    EXPECT_EQ(s.ranges, ranges({{0, 1000}})) << h;
  }
  // Empty list elements are skipped.
  EXPECT_EQ(choose_ranges("bytes=,0-9,,20-29,", 1000).ranges, ranges({{0, 10}, {20, 10}}));
}

TEST(ChooseRanges, AtMostSixteenAfterCoalescing) {
  std::string h = "bytes=";
  for (int i = 0; i < 16; ++i) h += std::to_string(i * 10) + "-" + std::to_string(i * 10) + ",";
  auto s = choose_ranges(h, 1000);
  EXPECT_EQ(s.kind, RangeKind::partial);
  EXPECT_EQ(s.ranges.size(), kMaxRanges);

  auto more = choose_ranges(h + "500-500", 1000);
  EXPECT_EQ(more.kind, RangeKind::whole);
  EXPECT_EQ(more.ranges, ranges({{0, 1000}}));

  // Many specs that coalesce into few are fine.
  std::string touching = "bytes=";
  for (int i = 0; i < 100; ++i) touching += std::to_string(i) + "-" + std::to_string(i) + ",";
  EXPECT_EQ(choose_ranges(touching, 1000).ranges, ranges({{0, 100}}));
}

}  // namespace
}  // namespace pxed::http

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

}  // namespace
}  // namespace pxed::http

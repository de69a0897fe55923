#include "core/bytes.h"

#include <gtest/gtest.h>

namespace pxed {
namespace {

TEST(ByteReader, ReadsNetworkOrder) {
  const std::uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(data);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(ByteReader, ShortReadFailsAndStaysFailed) {
  const std::uint8_t data[] = {0x01, 0x02, 0x03};
  ByteReader r(data);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // even though a byte remains, the reader is already failed
  EXPECT_TRUE(r.take(1).empty());
}

TEST(ByteReader, TakeChecksLength) {
  const std::uint8_t data[] = {1, 2, 3};
  ByteReader r(data);
  auto v = r.take(2);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1], 2);
  EXPECT_TRUE(r.take(2).empty());
  EXPECT_FALSE(r.ok());
}

TEST(ByteWriter, WritesNetworkOrder) {
  ByteWriter w;
  w.u8(0xaa);
  w.u16(0x0102);
  w.u32(0x03040506);
  w.str("ab");
  EXPECT_EQ(w.data(), (Bytes{0xaa, 1, 2, 3, 4, 5, 6, 'a', 'b'}));
}

TEST(Hex, Formats) {
  const std::uint8_t data[] = {0x52, 0x54, 0x00};
  EXPECT_EQ(to_hex(data), "525400");
  EXPECT_EQ(to_hex(data, ':'), "52:54:00");
}

}  // namespace
}  // namespace pxed

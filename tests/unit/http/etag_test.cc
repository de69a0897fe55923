#include "http/etag.h"

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

TEST(Etag, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64(std::string_view()), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64(std::string_view("a")), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64(std::string_view("foobar")), 0x85944171f73967e8ULL);
}

TEST(Etag, Formats) {
  EXPECT_EQ(file_etag(1000, 784111777000000000LL), "\"3e8-ae1b981bc490a00\"");
  EXPECT_EQ(file_etag(0, 0), "\"0-0\"");
  EXPECT_EQ(content_etag(26, 0x85944171f73967e8ULL), "\"g-1a-85944171f73967e8\"");
}

TEST(Etag, NoneMatchUsesTheWeakComparison) {
  const std::string ours = "\"3e8-1\"";
  EXPECT_TRUE(none_match("\"3e8-1\"", ours));
  EXPECT_TRUE(none_match("W/\"3e8-1\"", ours));
  EXPECT_TRUE(none_match("\"x\", W/\"3e8-1\"", ours));
  EXPECT_TRUE(none_match(" \"x\" ,, \"3e8-1\" ", ours));
  EXPECT_TRUE(none_match("*", ours));
  EXPECT_TRUE(none_match("*", ""));                     // it exists, even without a tag
  EXPECT_TRUE(none_match("\"a,b\", \"3e8-1\"", ours));  // a comma inside a tag
  EXPECT_FALSE(none_match("\"3e8-2\"", ours));
  EXPECT_FALSE(none_match("\"3e8-1\"", ""));
  EXPECT_FALSE(none_match("3e8-1", ours));            // not quoted
  EXPECT_FALSE(none_match("\"3e8-1", ours));          // unterminated
  EXPECT_FALSE(none_match("\"x\" \"3e8-1\"", ours));  // no comma between
  EXPECT_FALSE(none_match("w/\"3e8-1\"", ours));      // W is case-sensitive
  EXPECT_FALSE(none_match("", ours));
  EXPECT_FALSE(none_match(", ,", ours));
}

TEST(Etag, StrongMatch) {
  EXPECT_TRUE(strong_match("\"3e8-1\"", "\"3e8-1\""));
  EXPECT_TRUE(strong_match(" \"3e8-1\" ", "\"3e8-1\""));
  EXPECT_FALSE(strong_match("W/\"3e8-1\"", "\"3e8-1\""));
  EXPECT_FALSE(strong_match("\"3e8-2\"", "\"3e8-1\""));
  EXPECT_FALSE(strong_match("\"3e8-1\"", ""));
  EXPECT_FALSE(strong_match("\"3e8-1\", \"3e8-1\"", "\"3e8-1\""));
}

TEST(Etag, LooksLikeEtag) {
  EXPECT_TRUE(looks_like_etag("\"x\""));
  EXPECT_TRUE(looks_like_etag(" W/\"x\""));
  EXPECT_FALSE(looks_like_etag("Sun, 06 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(looks_like_etag(""));
}

}  // namespace
}  // namespace pxed::http

#include "http/target.h"

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

TEST(DecodeTargetPath, OriginForm) {
  EXPECT_EQ(*decode_target_path("/vmlinuz"), "/vmlinuz");
  EXPECT_EQ(*decode_target_path("/"), "/");
  EXPECT_EQ(*decode_target_path("/a/b.ipxe?mac=52:54:00:12:34:56&x=1"), "/a/b.ipxe");
  EXPECT_EQ(*decode_target_path("/a#frag"), "/a");
}

TEST(DecodeTargetPath, PercentDecoding) {
  EXPECT_EQ(*decode_target_path("/my%20file.txt"), "/my file.txt");
  EXPECT_EQ(*decode_target_path("/a%2Fb%2fc"), "/a/b/c");
  EXPECT_EQ(*decode_target_path("/%2e%2E/etc/passwd"), "/../etc/passwd");
  EXPECT_EQ(*decode_target_path("/a+b"), "/a+b");
  EXPECT_EQ(*decode_target_path("/q%3Fx?y"), "/q?x");  // an encoded '?' is part of the path
}

TEST(DecodeTargetPath, AbsoluteForm) {
  EXPECT_EQ(*decode_target_path("http://198.18.0.1/boot.ipxe"), "/boot.ipxe");
  EXPECT_EQ(*decode_target_path("HTTP://host:8080/a/b?q"), "/a/b");
  EXPECT_EQ(*decode_target_path("http://host"), "/");
  EXPECT_EQ(*decode_target_path("http://host?q"), "/");
}

TEST(DecodeTargetPath, RejectsMalformed) {
  for (std::string_view bad : {"*", "", "vmlinuz", "/a%", "/a%2", "/a%zz", "/%g0"}) {
    auto r = decode_target_path(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::malformed) << bad;
  }
}

TEST(PrintableTarget, EscapesAndCuts) {
  EXPECT_EQ(printable_target("/vmlinuz"), "/vmlinuz");
  EXPECT_EQ(printable_target("/a\"b\n"), "/a\\x22b\\x0a");
  EXPECT_EQ(printable_target("/abcdef", 3), "/ab...");
}

}  // namespace
}  // namespace pxed::http

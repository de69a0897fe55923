#include "app/serve_options.h"

#include <gtest/gtest.h>

namespace pxed::app {
namespace {

TEST(ParseRange, Good) {
  auto r = parse_range("198.18.0.100-198.18.0.200");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->start.to_string(), "198.18.0.100");
  EXPECT_EQ(r->end.to_string(), "198.18.0.200");
  EXPECT_TRUE(parse_range("198.18.0.5-198.18.0.5"));
}

TEST(ParseRange, BadSaysWhy) {
  EXPECT_NE(parse_range("198.18.0.100").error().message.find("START-END"), std::string::npos);
  EXPECT_NE(parse_range("198.18.0.200-198.18.0.100").error().message.find("ends before"),
            std::string::npos);
  EXPECT_NE(parse_range("a-b").error().message.find("IPv4"), std::string::npos);
}

TEST(ParseBootFiles, NamesNumbersAndErrors) {
  auto m = parse_boot_files({"bios=undionly.kpxe", "efi64=snponly.efi", "11=grubaa64.efi"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at(0), "undionly.kpxe");
  EXPECT_EQ(m->at(7), "snponly.efi");
  EXPECT_EQ(m->at(9), "snponly.efi");
  EXPECT_EQ(m->at(11), "grubaa64.efi");
  EXPECT_FALSE(parse_boot_files({"bios"}));
  EXPECT_FALSE(parse_boot_files({"=x"}));
  EXPECT_FALSE(parse_boot_files({"bios="}));
  EXPECT_FALSE(parse_boot_files({"sparc=x"}));
}

TEST(ParseAddresses, Lists) {
  auto a = parse_addresses({"198.18.0.1", "198.18.0.2"}, "--dns");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size(), 2u);
  auto bad = parse_addresses({"198.18.0.1", "dns.example"}, "--dns");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("--dns 'dns.example'"), std::string::npos);
}

}  // namespace
}  // namespace pxed::app

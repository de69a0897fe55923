#include "config/option_encoding.h"

#include <gtest/gtest.h>

namespace pxed::config {
namespace {

using dhcp::OptionType;

OptionInput one(OptionScalar s) {
  return OptionInput{{std::move(s)}, false};
}
OptionInput list(std::vector<OptionScalar> items) {
  return OptionInput{std::move(items), true};
}

Bytes encode_ok(OptionType type, const OptionInput& in) {
  auto r = encode_option(type, in);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Bytes{};
}

std::string encode_error(OptionType type, const OptionInput& in) {
  auto r = encode_option(type, in);
  EXPECT_FALSE(r);
  return r ? std::string() : r.error().message;
}

TEST(ConfigOptionKey, NamesCodesAndUnknownCodes) {
  auto routers = parse_option_key("routers");
  ASSERT_TRUE(routers);
  EXPECT_EQ(routers->code, 3);
  EXPECT_EQ(routers->type, OptionType::ipv4_list);

  auto by_code = parse_option_key("option-6");
  ASSERT_TRUE(by_code);
  EXPECT_EQ(by_code->code, 6);
  EXPECT_EQ(by_code->type, OptionType::ipv4_list);  // a known code keeps its type
  EXPECT_EQ(by_code->name, "domain-name-servers");

  auto bare = parse_option_key("252");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->code, 252);
  EXPECT_EQ(bare->type, OptionType::bytes);
  EXPECT_EQ(bare->name, "option-252");

  EXPECT_NE(parse_option_key("rooters").error().find("unknown option \"rooters\""),
            std::string::npos);
  EXPECT_NE(parse_option_key("option-256").error().find("outside 1..254"), std::string::npos);
  EXPECT_NE(parse_option_key("option-0").error().find("outside 1..254"), std::string::npos);
  EXPECT_NE(parse_option_key("option-x").error().find("option-NNN"), std::string::npos);
  EXPECT_NE(parse_option_key("12abc").error().find("option name or code"), std::string::npos);
}

TEST(ConfigOptionKey, ServerOptionsAreRejectedWithTheReason) {
  for (int code : {50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 82}) {
    EXPECT_TRUE(is_server_option(static_cast<std::uint8_t>(code))) << code;
    auto r = parse_option_key(std::to_string(code));
    ASSERT_FALSE(r) << code;
  }
  EXPECT_TRUE(is_server_option(0));
  EXPECT_TRUE(is_server_option(255));
  EXPECT_FALSE(is_server_option(3));
  EXPECT_FALSE(is_server_option(67));
  EXPECT_EQ(
      parse_option_key("lease-time").error(),
      "option 51 (lease-time) is set by the server; use lease-time in [dhcp] or in the subnet");
  EXPECT_NE(parse_option_key("renewal-time").error().find("use renew-time"), std::string::npos);
  EXPECT_NE(parse_option_key("option-59").error().find("use rebind-time"), std::string::npos);
  EXPECT_NE(parse_option_key("server-identifier").error().find("set by the server"),
            std::string::npos);
  EXPECT_NE(parse_option_key("client-identifier").error().find("client-id"), std::string::npos);
}

TEST(ConfigEncodeOption, Ipv4) {
  EXPECT_EQ(encode_ok(OptionType::ipv4, one("255.255.255.0")), (Bytes{255, 255, 255, 0}));
  EXPECT_EQ(encode_error(OptionType::ipv4, one("255.255.255")),
            "expected an IPv4 address, got \"255.255.255\"");
  EXPECT_EQ(encode_error(OptionType::ipv4, one(std::int64_t{5})),
            "expected an IPv4 address, got 5");
  EXPECT_NE(encode_error(OptionType::ipv4, list({"1.2.3.4"})).find("got an array"),
            std::string::npos);
}

TEST(ConfigEncodeOption, Ipv4List) {
  EXPECT_EQ(encode_ok(OptionType::ipv4_list, list({"198.18.0.254", "198.18.0.1"})),
            (Bytes{198, 18, 0, 254, 198, 18, 0, 1}));
  EXPECT_EQ(encode_ok(OptionType::ipv4_list, one("198.18.0.254")), (Bytes{198, 18, 0, 254}));
  auto bad = encode_option(OptionType::ipv4_list, list({"198.18.0.1", "dns.example"}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().item, 1u);
  EXPECT_EQ(bad.error().message, "expected an IPv4 address, got \"dns.example\"");
  EXPECT_NE(encode_error(OptionType::ipv4_list, list({})).find("empty array"), std::string::npos);
}

TEST(ConfigEncodeOption, IntegersWithRanges) {
  EXPECT_EQ(encode_ok(OptionType::u8, one(std::int64_t{255})), (Bytes{255}));
  EXPECT_EQ(encode_ok(OptionType::u16, one(std::int64_t{1500})), (Bytes{0x05, 0xdc}));
  EXPECT_EQ(encode_ok(OptionType::u32, one(std::int64_t{4294967295})),
            (Bytes{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(encode_ok(OptionType::u32, one(std::int64_t{3600})), (Bytes{0, 0, 0x0e, 0x10}));
  EXPECT_EQ(encode_error(OptionType::u8, one(std::int64_t{256})),
            "expected an integer from 0 to 255, got 256");
  EXPECT_EQ(encode_error(OptionType::u16, one(std::int64_t{65536})),
            "expected an integer from 0 to 65535, got 65536");
  EXPECT_EQ(encode_error(OptionType::u32, one(std::int64_t{-1})),
            "expected an integer from 0 to 4294967295, got -1");
  EXPECT_EQ(encode_error(OptionType::u16, one("1500")),
            "expected an integer from 0 to 65535, got \"1500\"");
}

TEST(ConfigEncodeOption, String) {
  EXPECT_EQ(encode_ok(OptionType::string, one("lab")), (Bytes{'l', 'a', 'b'}));
  EXPECT_EQ(encode_error(OptionType::string, one("")), "expected a string, got an empty one");
  EXPECT_EQ(encode_error(OptionType::string, one(std::int64_t{7})), "expected a string, got 7");
}

TEST(ConfigEncodeOption, U8List) {
  EXPECT_EQ(encode_ok(OptionType::u8_list, list({std::int64_t{1}, std::int64_t{3}})),
            (Bytes{1, 3}));
  EXPECT_EQ(encode_ok(OptionType::u8_list, one(std::int64_t{6})), (Bytes{6}));
  auto bad = encode_option(OptionType::u8_list, list({std::int64_t{1}, std::int64_t{300}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().item, 1u);
}

TEST(ConfigEncodeOption, BytesAsHexTextOrArray) {
  EXPECT_EQ(encode_ok(OptionType::bytes, one("01:02:ab")), (Bytes{1, 2, 0xab}));
  EXPECT_EQ(encode_ok(OptionType::bytes, one("0102AB")), (Bytes{1, 2, 0xab}));
  EXPECT_EQ(encode_ok(OptionType::bytes, one("1:2:ab")), (Bytes{1, 2, 0xab}));
  EXPECT_EQ(encode_ok(OptionType::bytes, one("text:PXE")), (Bytes{'P', 'X', 'E'}));
  EXPECT_EQ(encode_ok(OptionType::bytes, one("")), Bytes{});
  EXPECT_EQ(encode_ok(OptionType::bytes, list({std::int64_t{1}, std::int64_t{171}})),
            (Bytes{1, 171}));
  EXPECT_NE(encode_error(OptionType::bytes, one("012")).find("expected hex bytes"),
            std::string::npos);
  EXPECT_NE(encode_error(OptionType::bytes, one("01::02")).find("expected hex bytes"),
            std::string::npos);
  EXPECT_NE(encode_error(OptionType::bytes, one("zz")).find("expected hex bytes"),
            std::string::npos);
  EXPECT_NE(encode_error(OptionType::bytes, one("123:4")).find("expected hex bytes"),
            std::string::npos);
  EXPECT_NE(encode_error(OptionType::bytes, one(std::int64_t{5})).find("got 5"), std::string::npos);
}

TEST(ConfigCheckOptionData, Sizes) {
  EXPECT_FALSE(check_option_data(OptionType::ipv4, Bytes{1, 2, 3, 4}));
  EXPECT_TRUE(check_option_data(OptionType::ipv4, Bytes{1, 2, 3}));
  EXPECT_TRUE(check_option_data(OptionType::ipv4_list, Bytes{}));
  EXPECT_TRUE(check_option_data(OptionType::ipv4_list, Bytes{1, 2, 3, 4, 5}));
  EXPECT_TRUE(check_option_data(OptionType::u16, Bytes{1}));
  EXPECT_TRUE(check_option_data(OptionType::string, Bytes{}));
  EXPECT_FALSE(check_option_data(OptionType::bytes, Bytes{}));
}

}  // namespace
}  // namespace pxed::config

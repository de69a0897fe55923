// `pxed serve --api-listen ADDRESS:PORT`: the command line's form of api.listen, alone or on top
// of a config file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/flags_config.h"
#include "config/loader.h"

namespace pxed::app {
namespace {

using ::testing::HasSubstr;

net::InterfaceInfo br0() {
  net::InterfaceInfo i;
  i.name = "br0";
  i.index = 3;
  i.ipv4 = Ipv4Network{*Ipv4::parse("198.18.0.1"), *Ipv4::parse("255.255.255.0")};
  return i;
}

ServeOptions flags() {
  ServeOptions o;
  o.interface = "br0";
  o.root = "/srv/pxed";
  o.dhcp_range = "198.18.0.100-198.18.0.200";
  o.given = {"--interface", "--root", "--dhcp-range"};
  return o;
}

TEST(ApiListenFlag, FlagsAloneSetApiListen) {
  ServeOptions o = flags();
  auto without = config_from_flags(o, br0());
  ASSERT_TRUE(without);
  EXPECT_FALSE(without->api.listen);  // the API stays on the HTTP port
  o.api_listen = "127.0.0.1:8081";
  o.given.insert("--api-listen");
  auto with = config_from_flags(o, br0());
  ASSERT_TRUE(with);
  ASSERT_TRUE(with->api.listen);
  EXPECT_EQ(with->api.listen->address.to_string(), "127.0.0.1");
  EXPECT_EQ(with->api.listen->port, 8081);
  o.api_listen = "127.0.0.1";
  auto bad = config_from_flags(o, br0());
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("--api-listen 127.0.0.1: expected ADDRESS:PORT"));
}

TEST(ApiListenFlag, OverridesTheConfigFile) {
  auto parsed = config::parse_config_string(R"(interfaces = ["br0"]
root = "/srv/pxed"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["br0"]
pools = ["198.18.0.100-198.18.0.200"]
[api]
listen = "127.0.0.1:8081"
)",
                                            "t.toml");
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->config.api.listen);
  ServeOptions o;
  o.api_listen = "198.18.0.1:9090";
  o.given = {"--api-listen"};
  ASSERT_TRUE(apply_flag_overrides(o, parsed->config, parsed->sources));
  EXPECT_EQ(parsed->config.api.listen->address.to_string(), "198.18.0.1");
  EXPECT_EQ(parsed->config.api.listen->port, 9090);
  EXPECT_EQ(parsed->sources.find("api.listen").file, "--api-listen");
}

}  // namespace
}  // namespace pxed::app

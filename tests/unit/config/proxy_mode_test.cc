// dhcp.mode = "proxy" in the config file, and `pxed serve --proxy` on the command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/flags_config.h"
#include "config/loader.h"
#include "config/validate.h"

namespace pxed::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> errors_of(std::string_view toml) {
  auto r = load_config_string(toml, "t.toml");
  std::vector<std::string> out;
  if (!r) {
    for (const ConfigError& e : r.error()) out.push_back(e.to_string());
  }
  return out;
}

constexpr std::string_view kProxy = R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
mode = "proxy"
)";

TEST(ProxyMode, ConfigFileNeedsNoSubnet) {
  auto r = load_config_string(kProxy, "t.toml");
  ASSERT_TRUE(r) << r.error().front().to_string();
  EXPECT_TRUE(r->dhcp.proxy);
  EXPECT_THAT(r->dhcp.subnets, IsEmpty());
  // The default is a DHCP server, which needs its subnet.
  auto server = load_config_string(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
mode = "server"
)",
                                   "t.toml");
  ASSERT_FALSE(server);
  EXPECT_THAT(server.error().front().to_string(), HasSubstr("at least one [[dhcp.subnet]]"));
}

TEST(ProxyMode, SubnetsAreAnErrorInProxyMode) {
  std::string toml(kProxy);
  toml += R"([[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["br0"]
pools = ["198.18.0.100-198.18.0.200"]
)";
  EXPECT_THAT(errors_of(toml),
              ElementsAre("t.toml:5:1: dhcp.subnet[0]: not used with mode = \"proxy\" (the site's "
                          "DHCP server hands out the addresses); remove the [[dhcp.subnet]] "
                          "tables"));
}

TEST(ProxyMode, UnknownModeIsAnError) {
  EXPECT_THAT(
      errors_of(R"(interfaces = ["br0"]
root = "/srv/pxed"
[dhcp]
mode = "relay"
)"),
      ElementsAre("t.toml:4:8: dhcp.mode: expected \"server\" or \"proxy\", got \"relay\""));
}

net::InterfaceInfo br0() {
  net::InterfaceInfo i;
  i.name = "br0";
  i.index = 3;
  i.ipv4 = Ipv4Network{*Ipv4::parse("198.18.0.1"), *Ipv4::parse("255.255.255.0")};
  return i;
}

TEST(ProxyMode, ProxyFlagBuildsAConfigWithoutPool) {
  app::ServeOptions o;
  o.interface = "br0";
  o.root = "/srv/pxed";
  o.proxy = true;
  o.given = {"--interface", "--root", "--proxy"};
  auto c = app::config_from_flags(o, br0());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->dhcp.proxy);
  EXPECT_THAT(c->dhcp.subnets, IsEmpty());
  EXPECT_THAT(validate(*c), IsEmpty());

  o.dhcp_range = "198.18.0.100-198.18.0.200";
  o.given.insert("--dhcp-range");
  auto both = app::config_from_flags(o, br0());
  ASSERT_FALSE(both);
  EXPECT_THAT(both.error().message, HasSubstr("--dhcp-range has no use in proxy mode"));
}

TEST(ProxyMode, ProxyFlagOverridesAFileWithSubnets) {
  auto parsed = parse_config_string(R"(interfaces = ["br0"]
root = "/srv/pxed"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["br0"]
pools = ["198.18.0.100-198.18.0.200"]
)",
                                    "t.toml");
  ASSERT_TRUE(parsed);
  app::ServeOptions o;
  o.proxy = true;
  o.given = {"--proxy"};
  ASSERT_TRUE(app::apply_flag_overrides(o, parsed->config, parsed->sources));
  EXPECT_TRUE(parsed->config.dhcp.proxy);
  EXPECT_THAT(parsed->config.dhcp.subnets, IsEmpty());
  EXPECT_THAT(validate(parsed->config, &parsed->sources), IsEmpty());

  // A range on top of a proxy config has nowhere to go.
  app::ServeOptions range;
  range.dhcp_range = "198.18.0.100-198.18.0.200";
  range.given = {"--dhcp-range"};
  auto r = app::apply_flag_overrides(range, parsed->config, parsed->sources);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("--dhcp-range has no use in proxy mode"));
}

}  // namespace
}  // namespace pxed::config

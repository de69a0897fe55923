#include "config/config_error.h"

#include <gtest/gtest.h>

namespace pxed::config {
namespace {

TEST(ConfigError, Format) {
  EXPECT_EQ((ConfigError{{"pxed.toml", 12, 9}, "a: b"}).to_string(), "pxed.toml:12:9: a: b");
  EXPECT_EQ((ConfigError{{"pxed.toml", 0, 0}, "a: b"}).to_string(), "pxed.toml: a: b");
  EXPECT_EQ((ConfigError{{}, "a: b"}).to_string(), "a: b");
}

TEST(ConfigError, SortByPositionNoPositionLast) {
  ConfigErrors e{
      {{"f", 0, 0}, "none"}, {{"f", 9, 1}, "nine"}, {{"f", 2, 5}, "two-5"}, {{"f", 2, 3}, "two-3"}};
  sort_errors(e);
  EXPECT_EQ(e[0].message, "two-3");
  EXPECT_EQ(e[1].message, "two-5");
  EXPECT_EQ(e[2].message, "nine");
  EXPECT_EQ(e[3].message, "none");
}

TEST(ConfigSourceMap, ParentPaths) {
  EXPECT_EQ(parent_path("dhcp.subnet[0].pools[1]"), "dhcp.subnet[0].pools");
  EXPECT_EQ(parent_path("dhcp.subnet[0].pools"), "dhcp.subnet[0]");
  EXPECT_EQ(parent_path("dhcp.subnet[0]"), "dhcp.subnet");
  EXPECT_EQ(parent_path("dhcp.subnet"), "dhcp");
  EXPECT_EQ(parent_path("dhcp"), "");
  EXPECT_EQ(parent_path("interfaces[2]"), "interfaces");
}

TEST(ConfigSourceMap, FindWalksUpReplaceForgetsBelow) {
  SourceMap m;
  m.set("dhcp.subnet[0]", {"f", 3, 1});
  m.set("dhcp.subnet[0].pools[1]", {"f", 5, 20});
  m.set("dhcp.subnet[1]", {"f", 9, 1});
  EXPECT_EQ(m.find("dhcp.subnet[0].pools[1]").column, 20);
  EXPECT_EQ(m.find("dhcp.subnet[0].reservation[0].mac").line, 3);
  EXPECT_EQ(m.find("tftp.port").file, "");
  m.mark_invalid("dhcp.subnet[0].pools[1]");
  EXPECT_TRUE(m.is_invalid("dhcp.subnet[0].pools[1]"));
  EXPECT_FALSE(m.is_invalid("dhcp.subnet[0].pools[0]"));
  m.mark_invalid("dhcp.subnet[1]");
  EXPECT_TRUE(m.is_invalid("dhcp.subnet[1].network"));
  EXPECT_FALSE(m.is_invalid("dhcp.subnet[10].network"));
  m.replace("dhcp.subnet[0]", {"--flag", 0, 0});
  EXPECT_EQ(m.find("dhcp.subnet[0].pools[1]").file, "--flag");
  EXPECT_FALSE(m.is_invalid("dhcp.subnet[0].pools[1]"));
  EXPECT_EQ(m.find("dhcp.subnet[1]").line, 9);
}

}  // namespace
}  // namespace pxed::config

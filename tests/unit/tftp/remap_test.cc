#include "tftp/remap.h"

#include <gtest/gtest.h>

namespace pxed::tftp {
namespace {

const Ipv4 kClient = *Ipv4::parse("198.18.0.100");

Remapper compile(std::vector<RemapRule> rules) {
  auto r = Remapper::compile(std::move(rules));
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : Remapper();
}

TEST(TftpRemap, RulesApplyInOrderWithGroups) {
  Remapper r = compile({{"^/?boot/x86/(.*)$", "bios/$1"}, {"\\.0$", ".0", false, false}});
  auto out = r.apply("/boot/x86/pxelinux.0", kClient);
  EXPECT_EQ(out.name, "bios/pxelinux.0");
  ASSERT_EQ(out.fired.size(), 2u);
  EXPECT_EQ(out.fired[0].rule, 0u);
  EXPECT_EQ(out.fired[0].before, "/boot/x86/pxelinux.0");
  EXPECT_EQ(out.fired[0].after, "bios/pxelinux.0");
}

TEST(TftpRemap, NoMatchLeavesTheNameAlone) {
  Remapper r = compile({{"^grub/", "efi/grub/"}});
  auto out = r.apply("pxelinux.0", kClient);
  EXPECT_EQ(out.name, "pxelinux.0");
  EXPECT_TRUE(out.fired.empty());
}

TEST(TftpRemap, ClientAddressCaseAndLast) {
  Remapper r = compile({{"^PXELINUX\\.CFG/", "hosts/${client}/pxelinux.cfg/", true, true},
                        {"hosts/", "never/"}});
  auto out = r.apply("pxelinux.cfg/default", kClient);
  EXPECT_EQ(out.name, "hosts/198.18.0.100/pxelinux.cfg/default");
  EXPECT_EQ(out.fired.size(), 1u);  // the first rule is the last one applied
}

TEST(TftpRemap, OnlyTheFirstMatchIsReplaced) {
  Remapper r = compile({{"\\\\", "/"}});
  EXPECT_EQ(r.apply("a\\b\\c", kClient).name, "a/b\\c");
}

TEST(TftpRemap, BadExpressionIsReportedWithItsRule) {
  auto r = Remapper::compile({{"ok", "x"}, {"(unclosed", "x"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message.rfind("rule 1: ", 0), 0u) << r.error().message;
}

}  // namespace
}  // namespace pxed::tftp

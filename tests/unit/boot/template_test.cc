#include "boot/template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pxed::boot {
namespace {

using ::testing::HasSubstr;

const std::set<std::string, std::less<>> kNames = {"a", "list", "empty", "none"};

std::string render(std::string_view text, const TemplateValues& v) {
  auto t = Template::parse(text, kNames);
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return t ? t->render(v) : "";
}

std::string error_of(std::string_view text) {
  auto t = Template::parse(text, kNames);
  EXPECT_FALSE(t);
  return t ? "" : t.error().message;
}

TEST(Template, ValuesAndListsAreFilledIn) {
  TemplateValues v{{"a", std::string("x")},
                   {"list", std::vector<std::string>{"1", "2", "3"}},
                   {"empty", std::string()}};
  EXPECT_EQ(render("a={{a}} list={{ list }} e=[{{empty}}] n=[{{none}}]", v),
            "a=x list=1 2 3 e=[] n=[]");
  EXPECT_EQ(render("no holes at all\n", v), "no holes at all\n");
}

TEST(Template, SectionsRepeatOverListsAndTestValues) {
  TemplateValues v{{"a", std::string("x")},
                   {"list", std::vector<std::string>{"k", "i"}},
                   {"empty", std::string()}};
  EXPECT_EQ(render("{{#list}}initrd {{.}}\n{{/list}}boot", v), "initrd k\ninitrd i\nboot");
  EXPECT_EQ(render("{{#a}}[{{a}}]{{/a}}{{#empty}}never{{/empty}}", v), "[x]");
  EXPECT_EQ(render("{{^empty}}empty{{/empty}}{{^a}}never{{/a}}{{^none}}!{{/none}}", v), "empty!");
  EXPECT_EQ(render("{{#list}}{{#a}}{{.}}{{a}}{{/a}}{{/list}}", v), "xxxx")
      << "inside a value's section, {{.}} is that value";
}

TEST(Template, MistakesAreFoundWhenParsedWithTheirLine) {
  EXPECT_THAT(error_of("ok\nkernel {{kernal}}"), HasSubstr("line 2: unknown name {{kernal}}"));
  EXPECT_THAT(error_of("{{a"), HasSubstr("line 1: \"{{\" is never closed"));
  EXPECT_THAT(error_of("{{#list}}x"), HasSubstr("never closed with {{/list}}"));
  EXPECT_THAT(error_of("{{#list}}{{/a}}"), HasSubstr("{{/a}} where {{/list}} was expected"));
  EXPECT_THAT(error_of("{{/a}}"), HasSubstr("closes no section"));
  EXPECT_THAT(error_of("x\n\n{{.}}"), HasSubstr("line 3: {{.}} stands for a list element"));
  EXPECT_THAT(error_of("{{}}"), HasSubstr("empty"));
}

}  // namespace
}  // namespace pxed::boot

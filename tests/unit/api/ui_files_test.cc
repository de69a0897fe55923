#include "api/ui_files.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace pxed::api {
namespace {

namespace fs = std::filesystem;

http::Request get(const std::string& target, const std::string& method = "GET") {
  http::Request r;
  r.method = method;
  r.target = target;
  return r;
}

class UiFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("pxed-ui-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
    write("index.html", "<!doctype html><title>pxed</title>");
    write("app.js", "console.log(1);");
    write(".secret", "hidden");
    write("sub/inner.js", "no");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

TEST_F(UiFilesTest, ServesTheFilesOfItsDirectoryOnly) {
  UiFiles ui = UiFiles::load(dir_.string());
  EXPECT_EQ(ui.size(), 2u);  // no dot file, nothing from sub/
  auto index = ui.handle(get("/ui/"));
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200u);
  EXPECT_EQ(index->body, "<!doctype html><title>pxed</title>");
  EXPECT_EQ(*index->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(*index->header("Content-Length"), std::to_string(index->body.size()));
  auto js = ui.handle(get("/ui/app.js?v=2"));
  ASSERT_TRUE(js);
  EXPECT_EQ(*js->header("Content-Type"), "text/javascript; charset=utf-8");
  for (const char* bad : {"/ui/.secret", "/ui/sub/inner.js", "/ui/../CMakeLists.txt",
                          "/ui/%2e%2e/x", "/ui/nope.css"}) {
    auto p = ui.handle(get(bad));
    ASSERT_TRUE(p) << bad;
    EXPECT_EQ(p->status, 404u) << bad;
  }
}

TEST_F(UiFilesTest, RedirectsMethodsAndOtherTargets) {
  UiFiles ui = UiFiles::load(dir_.string());
  auto bare = ui.handle(get("/ui"));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 301u);
  EXPECT_EQ(*bare->header("Location"), "/ui/");
  auto post = ui.handle(get("/ui/", "POST"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405u);
  EXPECT_FALSE(ui.handle(get("/uix")));
  EXPECT_FALSE(ui.handle(get("/api/v1/status")));
}

TEST(UiFilesMissing, SaysWhereItLooked) {
  UiFiles ui = UiFiles::load("/nonexistent/pxed-web");
  EXPECT_EQ(ui.size(), 0u);
  auto p = ui.handle(get("/ui/"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 404u);
  EXPECT_NE(p->body.find("/nonexistent/pxed-web"), std::string::npos);
}

}  // namespace
}  // namespace pxed::api

#include "core/file_root.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace pxed {
namespace {

namespace fs = std::filesystem;

TEST(NormalizeRequestPath, StripsLeadingSlashAndDots) {
  EXPECT_EQ(*normalize_request_path("/grub/grub.cfg"), "grub/grub.cfg");
  EXPECT_EQ(*normalize_request_path("pxelinux.cfg//default"), "pxelinux.cfg/default");
  EXPECT_EQ(*normalize_request_path("./a/./b"), "a/b");
  EXPECT_EQ(*normalize_request_path("\\boot\\bcd"), "boot/bcd");
}

TEST(NormalizeRequestPath, RefusesEscapes) {
  for (std::string_view bad : {"../etc/passwd", "a/../../b", "..", "a\\..\\..\\b"}) {
    auto r = normalize_request_path(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::access_denied) << bad;
  }
  EXPECT_FALSE(normalize_request_path(std::string_view("a\0b", 3)));
  EXPECT_FALSE(normalize_request_path("/"));
  EXPECT_FALSE(normalize_request_path(""));
}

class FileRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxed-root-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    fs::create_directories(base_ / "root/sub");
    std::ofstream(base_ / "root/sub/file.txt") << "hello";
    std::ofstream(base_ / "secret.txt") << "secret";
    fs::create_symlink(base_ / "secret.txt", base_ / "root/escape");
    fs::create_symlink("sub/file.txt", base_ / "root/inside");
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
};

TEST_F(FileRootTest, OpensFilesInside) {
  FileRoot root((base_ / "root").string());
  auto f = root.open("/sub/file.txt");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->size, 5u);
  auto g = root.open("inside");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->size, 5u);
}

TEST_F(FileRootTest, RefusesSymlinkOutOfRoot) {
  FileRoot root((base_ / "root").string());
  auto f = root.open("escape");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::access_denied);
}

TEST_F(FileRootTest, MissingAndDirectories) {
  FileRoot root((base_ / "root").string());
  EXPECT_EQ(root.open("nope").error().code, Errc::not_found);
  EXPECT_EQ(root.open("sub").error().code, Errc::access_denied);
  EXPECT_EQ(root.open("sub/file.txt/x").error().code, Errc::not_found);
  EXPECT_EQ(root.open(std::string(400, 'a')).error().code, Errc::not_found);  // ENAMETOOLONG
}

}  // namespace
}  // namespace pxed

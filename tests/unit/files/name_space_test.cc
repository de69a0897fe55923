#include "files/name_space.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pxed::files {
namespace {

namespace fs = std::filesystem;

class NameSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("pxed-ns-" + std::to_string(::getpid()));
    fs::create_directories(base_ / "root/sub");
    write("root/a.bin", "first version");
    write("outside.txt", "secret");
    fs::create_symlink(base_ / "outside.txt", base_ / "root/escape");
    root_.emplace((base_ / "root").string());
  }
  void TearDown() override { fs::remove_all(base_); }

  void write(const std::string& rel, const std::string& text) {
    std::ofstream(base_ / rel, std::ios::binary) << text;
  }
  static std::string read_all(const Content& c) {
    std::string out(c.size(), '\0');
    auto r = c.read(reinterpret_cast<std::uint8_t*>(out.data()), out.size(), 0);
    EXPECT_TRUE(r) << r.error().message;
    return out;
  }

  fs::path base_;
  std::optional<FileRoot> root_;
  const Requester who_{*Ipv4::parse("198.18.0.100"), "tftp"};
};

TEST_F(NameSpaceTest, ConcurrentReadersShareOneDescriptor) {
  FileNameSpace names(*root_, std::chrono::hours(1));
  auto a = names.open("a.bin", who_);
  auto b = names.open("/a.bin", who_);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->fd(), b->fd());
  EXPECT_FALSE(a->generated());
  EXPECT_EQ(read_all(*b), "first version");
  EXPECT_EQ(names.open_files(), 1u);
  a = tl::unexpected(Error{Errc::io, ""});
  b = tl::unexpected(Error{Errc::io, ""});
  EXPECT_EQ(names.open_files(), 0u);  // the last reader let go: the file is closed
}

TEST_F(NameSpaceTest, AReplacedFileIsSeenOnRevalidation) {
  FileNameSpace names(*root_, std::chrono::seconds(0));
  auto old = names.open("a.bin", who_);
  ASSERT_TRUE(old);
  write("root/a.bin.new", "second, longer version");
  fs::rename(base_ / "root/a.bin.new", base_ / "root/a.bin");
  auto fresh = names.open("a.bin", who_);
  ASSERT_TRUE(fresh);
  EXPECT_NE(old->fd(), fresh->fd());
  EXPECT_EQ(read_all(*fresh), "second, longer version");
  EXPECT_EQ(read_all(*old), "first version");  // a running transfer keeps what it started with
  // Unchanged since: shared again.
  auto again = names.open("a.bin", who_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fd(), fresh->fd());
}

TEST_F(NameSpaceTest, RefusalsPassThrough) {
  FileNameSpace names(*root_);
  EXPECT_EQ(names.open("missing", who_).error().code, Errc::not_found);
  EXPECT_EQ(names.open("../outside.txt", who_).error().code, Errc::access_denied);
  EXPECT_EQ(names.open("escape", who_).error().code, Errc::access_denied);
  EXPECT_EQ(names.open("sub", who_).error().code, Errc::access_denied);
  // A file deleted after it was served once is gone for the next request.
  ASSERT_TRUE(names.open("a.bin", who_));
  fs::remove(base_ / "root/a.bin");
  EXPECT_EQ(FileNameSpace(*root_).open("a.bin", who_).error().code, Errc::not_found);
}

TEST_F(NameSpaceTest, GeneratedFilesComeFirstAndFallThrough) {
  FileNameSpace names(*root_);
  GeneratedFiles gen(names);
  gen.add("/pxelinux.cfg\\default", [](const Requester& r) -> std::optional<Bytes> {
    std::string t = "for " + r.client.to_string();
    return Bytes(t.begin(), t.end());
  });
  gen.add("a.bin", [](const Requester&) -> std::optional<Bytes> { return std::nullopt; });
  auto g = gen.open("pxelinux.cfg/default", who_);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->generated());
  EXPECT_EQ(g->fd(), -1);
  EXPECT_EQ(read_all(*g), "for 198.18.0.100");
  std::uint8_t byte = 0;
  EXPECT_FALSE(g->read(&byte, 1, g->size()));  // past the end
  // A generator with nothing to say, and any other path, fall through to the files.
  auto f = gen.open("a.bin", who_);
  ASSERT_TRUE(f);
  EXPECT_EQ(read_all(*f), "first version");
  EXPECT_EQ(gen.open("nothing", who_).error().code, Errc::not_found);
}

}  // namespace
}  // namespace pxed::files

#include "files/upload_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pxed::files {
namespace {

namespace fs = std::filesystem;

class UploadDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("pxed-up-" + std::to_string(::getpid()));
    fs::create_directories(base_ / "up/sub");
    fs::create_directories(base_ / "elsewhere");
    fs::create_directory_symlink(base_ / "elsewhere", base_ / "up/link");
    std::ofstream(base_ / "up/taken") << "old";
    dir_.emplace((base_ / "up").string());
  }
  void TearDown() override { fs::remove_all(base_); }
  std::vector<std::string> listing(const fs::path& d) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(d)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path base_;
  std::optional<UploadDir> dir_;
};

TEST_F(UploadDirTest, AFileAppearsUnderItsNameOnlyWhenCommitted) {
  auto up = dir_->create("/sub\\log.txt");
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(up->name(), "sub/log.txt");
  const std::string text = "hello";
  ASSERT_TRUE(up->write(as_bytes(text), 0));
  EXPECT_FALSE(fs::exists(base_ / "up/sub/log.txt"));
  ASSERT_TRUE(up->commit());
  std::ifstream in(base_ / "up/sub/log.txt");
  std::string got;
  in >> got;
  EXPECT_EQ(got, "hello");
  EXPECT_EQ(listing(base_ / "up/sub"), std::vector<std::string>{"log.txt"});
}

TEST_F(UploadDirTest, AnAbandonedUploadLeavesNothing) {
  {
    auto up = dir_->create("partial.bin");
    ASSERT_TRUE(up);
    ASSERT_TRUE(up->write(as_bytes("abc"), 0));
  }
  EXPECT_EQ(listing(base_ / "up"), (std::vector<std::string>{"link", "sub", "taken"}));
}

TEST_F(UploadDirTest, NeverOverwritesAndNeverLeaves) {
  EXPECT_EQ(dir_->create("taken").error().code, Errc::conflict);
  // Taken while the upload ran: the commit fails and the old file stays.
  auto up = dir_->create("late");
  ASSERT_TRUE(up);
  std::ofstream(base_ / "up/late") << "first";
  EXPECT_EQ(up->commit().error().code, Errc::conflict);
  EXPECT_EQ(dir_->create("../escape").error().code, Errc::access_denied);
  EXPECT_EQ(dir_->create("link/x").error().code, Errc::access_denied);  // symlinked dir
  EXPECT_EQ(dir_->create("nodir/x").error().code, Errc::not_found);
  EXPECT_TRUE(fs::is_empty(base_ / "elsewhere"));
}

}  // namespace
}  // namespace pxed::files

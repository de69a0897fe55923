#include "lease/group_commit.h"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include <gtest/gtest.h>

namespace pxed::lease {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxed-gc-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    db_ = std::make_unique<SqliteStore>((dir_ / "leases.db").string());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  static Lease lease(std::uint32_t n) {
    return Lease{Ipv4(0xc6120000u + n), "hw:" + std::to_string(n), MacAddress(), "", 100};
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> db_;
};

TEST_F(GroupCommitTest, TicketsReportDurabilityAndEveryWriteReachesTheDisk) {
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t durable = 0;
  std::size_t batches = 0;
  {
    GroupCommitWriter writer(*db_, [&](std::uint64_t ticket, bool ok, const std::string& error) {
      ASSERT_TRUE(ok) << error;
      std::lock_guard lock(m);
      EXPECT_GT(ticket, durable) << "tickets only grow";
      durable = ticket;
      ++batches;
      cv.notify_all();
    });
    GroupCommitStore store(*db_, writer);
    for (std::uint32_t n = 1; n <= 500; ++n) {
      ASSERT_TRUE(store.put(lease(n)));
      EXPECT_EQ(store.last_write_ticket(), n);
      EXPECT_TRUE(store.by_address(lease(n).address)) << "visible in memory at once";
    }
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return durable == 500; }));
    EXPECT_LE(batches, 500u);
  }
  // A separate connection sees every lease on disk.
  SqliteStore reader((dir_ / "leases.db").string());
  EXPECT_EQ(reader.all().size(), 500u);
}

TEST_F(GroupCommitTest, DestructorWritesWhatIsQueued) {
  {
    GroupCommitWriter writer(*db_, [](std::uint64_t, bool, const std::string&) {});
    GroupCommitStore store(*db_, writer);
    for (std::uint32_t n = 1; n <= 100; ++n) ASSERT_TRUE(store.put(lease(n)));
    ASSERT_TRUE(store.remove(lease(7).address));
  }
  SqliteStore reader((dir_ / "leases.db").string());
  EXPECT_EQ(reader.all().size(), 99u);
  EXPECT_FALSE(reader.by_address(lease(7).address));
}

TEST_F(GroupCommitTest, StartsFromWhatIsOnDisk) {
  ASSERT_TRUE(db_->put(lease(1)));
  GroupCommitWriter writer(*db_, [](std::uint64_t, bool, const std::string&) {});
  GroupCommitStore store(*db_, writer);
  EXPECT_TRUE(store.by_client("hw:1"));
  EXPECT_EQ(store.last_write_ticket(), 0u);
}

}  // namespace
}  // namespace pxed::lease

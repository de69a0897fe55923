#include "lease/sqlite_hosts.h"

#include <unistd.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "lease/sqlite_store.h"

namespace pxed::lease {
namespace {

struct TempDb {
  std::filesystem::path dir;
  TempDb() {
    char tmpl[] = "/tmp/pxed-hosts-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "leases.db").string(); }
};

const MacAddress kMac = *MacAddress::parse("52:54:00:e2:e0:01");

TEST(SqliteHosts, KeepsHostsBesideTheLeases) {
  TempDb db;
  {
    SqliteStore leases(db.path());  // the same file as the leases
    SqliteHosts hosts(db.path());
    EXPECT_FALSE(hosts.find(kMac));
    auto put = hosts.put(boot::HostRecord{kMac, "debian", "node1", {"rack1", "gpu"}, true, 0});
    ASSERT_TRUE(put) << put.error().message;
    ASSERT_TRUE(hosts.mark_netbooted(kMac, 1234));
    ASSERT_TRUE(hosts.mark_netbooted(kMac, 9999)) << "only the first serve counts";
    EXPECT_EQ(hosts.find(kMac)->netbooted_at, 1234);
  }
  SqliteHosts again(db.path());
  auto h = again.find(kMac);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->profile, "debian");
  EXPECT_EQ(h->hostname, "node1");
  EXPECT_EQ(h->labels, (std::vector<std::string>{"rack1", "gpu"}));
  EXPECT_TRUE(h->boot_once);
  EXPECT_EQ(h->netbooted_at, 1234);
  EXPECT_EQ(again.all().size(), 1u);
  EXPECT_EQ(again.remove(kMac).value(), true);
  EXPECT_EQ(again.remove(kMac).value(), false);
  EXPECT_FALSE(again.find(kMac));
}

TEST(SqliteHosts, SeesChangesMadeByAnotherProcess) {
  TempDb db;
  SqliteHosts daemon(db.path());
  EXPECT_FALSE(daemon.find(kMac));
  SqliteHosts cli(db.path());  // `pxed hosts set` while pxed runs
  ASSERT_TRUE(cli.put(boot::HostRecord{kMac, "rescue", "", {}, false, 0}));
  // Reloads are checked at most once a second; wait for the next check (bounded).
  std::optional<boot::HostRecord> seen;
  for (int i = 0; i < 30 && !seen; ++i) {
    seen = daemon.find(kMac);
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->profile, "rescue");
}

TEST(SqliteHosts, UnopenablePathSaysWhere) {
  try {
    SqliteHosts h("/nonexistent-dir/x/leases.db");
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x/leases.db"), std::string::npos);
  }
}

}  // namespace
}  // namespace pxed::lease
